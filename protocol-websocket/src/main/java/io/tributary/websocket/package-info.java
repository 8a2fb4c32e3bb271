/** MQTT over WebSocket for browsers (issue 4): same MQTT engine as protocol-mqtt, WebSocket framing. */
package io.tributary.websocket;
