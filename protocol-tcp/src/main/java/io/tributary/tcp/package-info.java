/** Raw TCP/TLS device ingestion (issue 5): framing to topic, downlink back to devices. */
package io.tributary.tcp;
