package io.tributary.mqtt;

import io.vertx.core.json.JsonObject;

/** Options of the MQTT protocol engine, shared by the TCP and WebSocket listeners. */
public final class MqttOptions {

  public static final int DEFAULT_MAX_PACKET_SIZE = 1024 * 1024;
  public static final int DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
  public static final int DEFAULT_MAX_TOPIC_LEVELS = 32;
  public static final int DEFAULT_WRITE_QUEUE_BYTES = 64 * 1024;

  private int maxPacketSize = DEFAULT_MAX_PACKET_SIZE;
  private int connectTimeoutMs = DEFAULT_CONNECT_TIMEOUT_MS;
  private int maxTopicLevels = DEFAULT_MAX_TOPIC_LEVELS;
  private int writeQueueBytes = DEFAULT_WRITE_QUEUE_BYTES;

  public MqttOptions() {
  }

  public MqttOptions(MqttOptions other) {
    this.maxPacketSize = other.maxPacketSize;
    this.connectTimeoutMs = other.connectTimeoutMs;
    this.maxTopicLevels = other.maxTopicLevels;
    this.writeQueueBytes = other.writeQueueBytes;
  }

  public MqttOptions(JsonObject json) {
    this();
    if (json.containsKey("maxPacketSize")) setMaxPacketSize(json.getInteger("maxPacketSize"));
    if (json.containsKey("connectTimeoutMs")) setConnectTimeoutMs(json.getInteger("connectTimeoutMs"));
    if (json.containsKey("maxTopicLevels")) setMaxTopicLevels(json.getInteger("maxTopicLevels"));
    if (json.containsKey("writeQueueBytes")) setWriteQueueBytes(json.getInteger("writeQueueBytes"));
  }

  /** Largest packet accepted (fixed header included); larger ones close the connection. */
  public int getMaxPacketSize() {
    return maxPacketSize;
  }

  public MqttOptions setMaxPacketSize(int maxPacketSize) {
    // 268,435,455 is the largest remaining length MQTT can encode, plus the 5-byte fixed header.
    if (maxPacketSize < 16 || maxPacketSize > 268_435_460) {
      throw new IllegalArgumentException("maxPacketSize must be 16..268435460: " + maxPacketSize);
    }
    this.maxPacketSize = maxPacketSize;
    return this;
  }

  /** Time a new socket has to send CONNECT before it is closed. */
  public int getConnectTimeoutMs() {
    return connectTimeoutMs;
  }

  public MqttOptions setConnectTimeoutMs(int connectTimeoutMs) {
    if (connectTimeoutMs < 1) {
      throw new IllegalArgumentException("connectTimeoutMs must be > 0: " + connectTimeoutMs);
    }
    this.connectTimeoutMs = connectTimeoutMs;
    return this;
  }

  /** Deepest topic or filter accepted; deeper filters are refused (0x80), deeper topics close. */
  public int getMaxTopicLevels() {
    return maxTopicLevels;
  }

  public MqttOptions setMaxTopicLevels(int maxTopicLevels) {
    if (maxTopicLevels < 1) {
      throw new IllegalArgumentException("maxTopicLevels must be > 0: " + maxTopicLevels);
    }
    this.maxTopicLevels = maxTopicLevels;
    return this;
  }

  /** Bytes queued for one connection before its session stops taking from the log. */
  public int getWriteQueueBytes() {
    return writeQueueBytes;
  }

  public MqttOptions setWriteQueueBytes(int writeQueueBytes) {
    if (writeQueueBytes < 1024) {
      throw new IllegalArgumentException("writeQueueBytes must be >= 1024: " + writeQueueBytes);
    }
    this.writeQueueBytes = writeQueueBytes;
    return this;
  }
}
