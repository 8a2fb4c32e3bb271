package io.tributary.tcp;

import io.netty.buffer.ByteBuf;
import io.tributary.router.Broker;
import io.tributary.router.counters.Traffic;
import io.tributary.router.logging.ConnectionLog;
import io.tributary.router.session.ConnectionDetails;
import io.tributary.router.PublishBudget;
import io.tributary.router.counters.BrokerCounters.Counter;
import io.tributary.router.session.ClientLink;
import io.tributary.router.delivery.Dispatcher;
import io.tributary.router.logging.LogSafe;
import io.tributary.router.message.Message;
import io.tributary.router.security.Authenticator;
import io.tributary.router.security.Authenticator.Decision;
import io.tributary.router.security.CertificateIdentity;
import io.tributary.router.security.ClientAccess;
import io.tributary.router.session.Session;
import io.tributary.router.session.SessionRequest;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.buffer.BufferInternal;
import io.vertx.core.net.NetSocket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One connected device, on the event loop that accepted it.
 *
 * <p>Uplink: the bytes of one read are cut into frames and, once the device is identified,
 * published with one log append ({@link Broker#publishAll}). The socket is paused while a batch
 * waits to be stored: the append runs as a task queued behind the loop's pending work (deliveries
 * of earlier records included), so a device faster than the broker is held back by TCP flow
 * control instead of buffered. What is held per device is one read's frames plus at most one
 * incomplete frame.
 *
 * <p>Downlink: the device is a router {@link Session} with client id {@code device/{id}}, clean,
 * subscribed at QoS 1 to its downlink topic, with this object as its {@link ClientLink}. A second
 * connection with the same id takes the session over as in MQTT: the older socket is closed.
 */
final class DeviceConnection implements ClientLink {

  private static final Logger log = LoggerFactory.getLogger(DeviceConnection.class);
  private static final io.tributary.router.logging.LogThrottle RATE_LINES =
      new io.tributary.router.logging.LogThrottle(20, 1);
  /** Session client ids of devices: {@code device/{id}}. */
  static final String CLIENT_ID_PREFIX = SessionRequest.DEVICE_PREFIX;
  static final int MAX_ID_LENGTH = 256;

  private enum State { IDENTIFYING, AUTHENTICATING, CONNECTING, ONLINE, CLOSED }

  private final Vertx vertx;
  private final Broker broker;
  private final Dispatcher core;
  private final RawTcpOptions options;
  private final NetSocket socket;
  private final Consumer<DeviceConnection> onClose;
  private final FrameDecoder decoder;
  private final String remote;
  private State state = State.IDENTIFYING;
  private long identifyTimer = -1;
  private String id;
  /** The session's client id, {@code device/{id}}, once identified (null before). */
  private String clientId;
  private String uplinkTopic;
  private Session session;
  /** Frames decoded but not yet stored (one read's worth while paused). */
  private List<byte[]> pending = new ArrayList<>();
  private boolean flushScheduled;
  /** limits.publishRate / publishBytesRate; null when unlimited. */
  private final PublishBudget budget;
  private final Traffic traffic;
  /** The connect and disconnect lines, and the reason the connection ended. */
  private final ConnectionLog record;
  private boolean countedClosed;

  DeviceConnection(Vertx vertx, Broker broker, Dispatcher core, RawTcpOptions options, NetSocket socket,
      Traffic traffic, Consumer<DeviceConnection> onClose) {
    this.traffic = traffic;
    this.vertx = vertx;
    this.broker = broker;
    this.core = core;
    this.options = options;
    this.socket = socket;
    this.onClose = onClose;
    this.decoder = new FrameDecoder(options);
    this.budget = PublishBudget.of(options.getPublishRate(), options.getPublishBytesRate());
    this.remote = String.valueOf(socket.remoteAddress());
    this.record = new ConnectionLog(options.getListenerName(), "raw-tcp", remote);
  }

  void start() {
    traffic.opened();
    socket.handler(this::read);
    socket.closeHandler(v -> closed());
    socket.exceptionHandler(e -> log.debug("raw-tcp {}: {}", describe(), e.toString()));
    socket.drainHandler(v -> {
      if (session != null) {
        session.writable();
      }
    });
    switch (options.getIdentify()) {
      case REMOTE_ADDRESS:
        String address = socket.remoteAddress().hostAddress();
        String problem = idProblem(address);
        if (problem != null) {
          reject("bad device id '" + LogSafe.text(address) + "': " + problem);
        } else {
          login(address, null, null); // no credential: anonymous
        }
        break;
      case CLIENT_CERTIFICATE:
        String cn = certificateCn();
        String cnProblem = cn == null ? null : idProblem(cn);
        if (cn == null) {
          reject("no TLS client certificate with a CN (identify: client-certificate)");
        } else if (cnProblem != null) {
          reject("bad device id '" + LogSafe.text(cn) + "': " + cnProblem);
        } else {
          identified(cn, cn); // the handshake verified the certificate: it is the credential
        }
        break;
      default:
        identifyTimer = vertx.setTimer(options.getIdentifyTimeoutMs(), t -> {
          identifyTimer = -1;
          if (state == State.IDENTIFYING) {
            reject("no identification within identifyTimeoutMs " + options.getIdentifyTimeoutMs() + " ms");
          }
        });
    }
  }

  private String certificateCn() {
    if (!socket.isSsl()) {
      return null;
    }
    try {
      return CertificateIdentity.commonName(socket.peerCertificates());
    } catch (javax.net.ssl.SSLPeerUnverifiedException e) {
      return null;
    }
  }

  // ---- uplink ------------------------------------------------------------------------------

  private void read(Buffer buffer) {
    if (state == State.CLOSED) {
      return;
    }
    traffic.bytesIn(buffer.length());
    ByteBuf in = ((BufferInternal) buffer).getByteBuf();
    List<byte[]> frames = new ArrayList<>();
    String error = decoder.decode(in, frames);
    broker.counters().devicePendingBytes(decoder.pendingBytes());
    if (broker.tracing().traced(clientId)) {
      for (byte[] f : frames) {
        ConnectionLog.TRACE.info("{} in: frame of {} bytes", describe(), f.length);
      }
    }
    int first = 0;
    if (state == State.IDENTIFYING && !frames.isEmpty()) {
      first = 1;
      if (!identifyFirstFrame(frames.get(0))) {
        return;
      }
    }
    for (int i = first; i < frames.size(); i++) {
      pending.add(frames.get(i));
      if (budget != null) {
        budget.take(frames.get(i).length);
      }
    }
    if (error != null) {
      if (state == State.ONLINE) {
        store(); // the good frames before the bad one
      }
      reject(error);
      return;
    }
    if (state == State.ONLINE && !pending.isEmpty() && !flushScheduled) {
      // Store the batch from a task queued behind the loop's pending work; read nothing until then.
      flushScheduled = true;
      socket.pause();
      broker.counters().increment(Counter.DEVICE_READ_PAUSES);
      long debtMs = budget == null ? 0 : budget.debtMs();
      if (debtMs > 0) {
        // Over limits.publishRate: this read's frames are stored, nothing more is read, once the
        // rate allows them. Never dropped.
        broker.counters().increment(Counter.PUBLISHES_THROTTLED);
        RATE_LINES.info(log, "raw-tcp {}: sending faster than limits.publishRate / publishBytesRate: not read for {} ms",
            describe(), debtMs);
        vertx.setTimer(debtMs, t -> core.execute(this::flush));
      } else {
        core.execute(this::flush);
      }
    }
  }

  private void flush() {
    flushScheduled = false;
    if (state != State.ONLINE) {
      return;
    }
    store();
    socket.resume();
  }

  private void store() {
    if (pending.isEmpty()) {
      return;
    }
    List<byte[]> frames = pending;
    pending = new ArrayList<>();
    List<Message> batch = new ArrayList<>(frames.size());
    long now = System.currentTimeMillis();
    int qos = options.getQos();
    for (byte[] payload : frames) {
      batch.add(new Message(uplinkTopic, payload, qos, false, id, now));
    }
    broker.publishAll(batch);
    traffic.messagesIn(qos, batch.size());
  }

  /** The first frame: {@code id} or {@code id:token}. Returns false when the socket was closed. */
  private boolean identifyFirstFrame(byte[] frame) {
    String text = new String(frame, StandardCharsets.UTF_8);
    int colon = text.indexOf(':');
    String deviceId = colon < 0 ? text : text.substring(0, colon);
    String token = colon < 0 ? null : text.substring(colon + 1);
    String problem = idProblem(deviceId);
    if (problem != null) {
      reject("bad device id in first frame: " + problem);
      return false;
    }
    login(deviceId, deviceId, token == null ? null : token.getBytes(StandardCharsets.UTF_8));
    return state != State.CLOSED;
  }

  /**
   * Checks the device's credentials as an MQTT login is checked (user name = device id, password =
   * token). A check that needs a password hash runs on a worker with the socket paused, never on
   * the event loop.
   */
  private void login(String deviceId, String username, byte[] password) {
    Authenticator authenticator = options.getLoginAuthenticator();
    Authenticator.Login login = new Authenticator.Login(CLIENT_ID_PREFIX + deviceId, username, password,
        Authenticator.isLoopback(socket.remoteAddress().hostAddress()));
    Decision quick = authenticator.quick(login);
    if (quick != null) {
      loggedIn(deviceId, username, quick);
      return;
    }
    state = State.AUTHENTICATING;
    socket.pause();
    vertx.executeBlocking(() -> authenticator.decide(login), false).onComplete(ar -> core.execute(
        () -> loggedIn(deviceId, username, ar.succeeded() ? ar.result() : Decision.NOT_AUTHORIZED)));
  }

  private void loggedIn(String deviceId, String username, Decision decision) {
    if (state == State.CLOSED) {
      return;
    }
    if (decision != Decision.ALLOW) {
      broker.counters().increment(decision == Decision.BAD_CREDENTIALS
          ? Counter.LOGINS_REFUSED_BAD_CREDENTIALS : Counter.LOGINS_REFUSED_NOT_AUTHORIZED);
      // Like a CONNACK refusal: says neither whether the user exists nor which part was wrong.
      reject("device '" + LogSafe.text(deviceId) + "' refused: "
          + (decision == Decision.BAD_CREDENTIALS ? "bad user name or token" : "not authorized"));
      return;
    }
    identified(deviceId, username);
  }

  static String idProblem(String id) {
    if (id.isEmpty()) {
      return "empty";
    }
    if (id.length() > MAX_ID_LENGTH) {
      return "longer than " + MAX_ID_LENGTH + " characters";
    }
    for (int i = 0; i < id.length(); i++) {
      char c = id.charAt(i);
      if (c == '/' || c == '+' || c == '#' || c < 0x20 || c == 0x7F || c == '\uFFFD') {
        return "contains '/', '+', '#', a control character or invalid UTF-8";
      }
    }
    return null;
  }

  /**
   * The device is who it says: it takes its session if the access rules let it publish to its
   * uplink topic (its downlink subscription needs read access to the downlink topic). {@code
   * username}: what the rules know it by (its id; null for an anonymous, address-identified one).
   */
  private void identified(String deviceId, String username) {
    if (identifyTimer >= 0) {
      vertx.cancelTimer(identifyTimer);
      identifyTimer = -1;
    }
    Broker.Refusal refusal = broker.admit(CLIENT_ID_PREFIX + deviceId);
    if (refusal != null) {
      reject("device '" + LogSafe.text(deviceId) + "' " + broker.describe(refusal));
      return;
    }
    String uplink = RawTcpOptions.topic(options.getUplink(), deviceId);
    ClientAccess access = broker.authorizer().access(CLIENT_ID_PREFIX + deviceId, username);
    if (!access.mayPublish(uplink)) {
      broker.counters().increment(Counter.PUBLISHES_DENIED);
      reject("device '" + LogSafe.text(deviceId) + "' may not publish to its uplink topic " + LogSafe.text(uplink)
          + " (access rules)");
      return;
    }
    String downlink = RawTcpOptions.topic(options.getDownlink(), deviceId);
    boolean hasDownlink = access.maySubscribe(downlink);
    if (!hasDownlink) {
      broker.counters().increment(Counter.SUBSCRIPTIONS_DENIED);
      log.info("raw-tcp device '{}' at {}: no downlink, the access rules do not let it read {}", LogSafe.text(deviceId),
          remote, LogSafe.text(downlink));
    }
    this.id = deviceId;
    this.clientId = CLIENT_ID_PREFIX + deviceId;
    this.uplinkTopic = uplink;
    state = State.CONNECTING;
    // Read nothing more until the session is ours: an older connection with this id is closed
    // first, so its frames and ours are not interleaved.
    socket.pause();
    SessionRequest request = new SessionRequest(CLIENT_ID_PREFIX + deviceId, true, 0, null, 0, 65535, this, access);
    broker.connect(core, request, (s, present) -> {
      if (s == null) {
        return; // closed while an older connection was being taken over
      }
      if (state == State.CLOSED) {
        s.disconnect(this, false);
        return;
      }
      session = s;
      state = State.ONLINE;
      if (hasDownlink) {
        s.subscribe(downlink, 1);
      }
      record.connected(clientId, who(), () -> "identified by " + options.getIdentify().key() + ", user "
          + (username == null ? "-" : LogSafe.text(username)) + ", downlink "
          + (hasDownlink ? LogSafe.text(downlink) : "none"));
      store();
      socket.resume();
    });
  }

  private void reject(String reason) {
    record.endsBecause(reason);
    broker.counters().increment(Counter.DEVICES_REJECTED);
    log.info("raw-tcp device at {} closed: {}", remote, reason);
    pending.clear();
    close();
  }

  /** Closes, saying why in the disconnect line. */
  void close(String reason) {
    record.endsBecause(reason);
    close();
  }

  void close() {
    if (state == State.CLOSED) {
      return;
    }
    state = State.CLOSED;
    socket.close();
  }

  private void closed() {
    if (record.connectedAt() != 0) {
      record.ended(clientId, who(), "connection closed by the device");
    }
    boolean wasOpen = state != State.CLOSED;
    state = State.CLOSED;
    if (identifyTimer >= 0) {
      vertx.cancelTimer(identifyTimer);
      identifyTimer = -1;
    }
    if (wasOpen && id != null) {
      // The device sent and hung up (read and close in one I/O round): its last batch was still
      // waiting to be stored, and it is good. (A rejected device's frames were cleared already.)
      store();
    }
    pending.clear();
    if (!countedClosed) {
      countedClosed = true;
      traffic.closed();
    }
    onClose.accept(this);
    Session s = session;
    session = null;
    if (s != null) {
      s.disconnect(this, false);
    }
  }

  // ---- downlink (ClientLink) ---------------------------------------------------------------

  @Override
  public boolean writeQueueFull() {
    return socket.writeQueueFull();
  }

  @Override
  public boolean deliver(Message message, int qos, boolean retain, boolean redelivery, int deliveryId,
      int[] subscriptionIds) {
    if (state == State.CLOSED) {
      return false;
    }
    byte[] payload = message.payload();
    Buffer frame = frame(payload);
    if (frame == null) {
      broker.counters().increment(Counter.DEVICE_DOWNLINKS_DROPPED);
      log.debug("raw-tcp {}: downlink of {} bytes on {} cannot be framed as {}: dropped", describe(), payload.length,
          message.topic(), options.getFraming().key());
      return false; // discarded for this device: nothing in flight, nothing to acknowledge
    }
    Session s = session;
    traffic.messageOut(qos);
    if (broker.tracing().traced(clientId)) {
      ConnectionLog.TRACE.info("{} out: frame of {} bytes from {} (QoS {})", describe(), payload.length, message.topic(), qos);
    }
    traffic.bytesOut(frame.length());
    if (deliveryId == 0 || s == null) {
      socket.write(frame);
      return true;
    }
    // A device has no acknowledgement of its own: a delivery is done once its frame is written,
    // so the in-flight window bounds the frames waiting in the socket. Not inline: the session
    // records the delivery as in flight only after this method returns, so the acknowledgement
    // comes from the write's completion, a later task on this loop.
    socket.write(frame).onSuccess(v -> {
      if (session == s) {
        s.acknowledge(deliveryId);
      }
    });
    return true;
  }

  /** The payload framed for this device, or null when the framing cannot carry it. */
  private Buffer frame(byte[] payload) {
    switch (options.getFraming()) {
      case LINES:
        if (payload.length > options.getMaxLineLength()) {
          return null;
        }
        for (byte b : payload) {
          if (b == '\n') {
            return null;
          }
        }
        return Buffer.buffer(payload.length + 1).appendBytes(payload).appendByte((byte) '\n');
      case FIXED:
        if (payload.length != options.getFrameSize()) {
          return null;
        }
        return Buffer.buffer(payload);
      default:
        if (payload.length > options.effectiveMaxFrame()) {
          return null;
        }
        Buffer b = Buffer.buffer(payload.length + 4);
        if (options.getPrefix() == RawTcpOptions.Prefix.U16) {
          b.appendUnsignedShort(payload.length);
        } else {
          b.appendInt(payload.length);
        }
        return b.appendBytes(payload);
    }
  }

  @Override
  public boolean isOpen() {
    return state != State.CLOSED;
  }

  @Override
  public void takenOver() {
    record.endsBecause("a newer connection with the same device id took over");
    session = null;
    close();
  }

  @Override
  public void closedByAdmin() {
    record.endsBecause("disconnected by an operator");
    session = null;
    close();
  }

  @Override
  public ConnectionDetails details() {
    return new ConnectionDetails(options.getListenerName(), "raw-tcp", remote, 0, null, true, 0, record.connectedAt());
  }

  /** The device as the connect and disconnect lines name it. */
  private String who() {
    return "device '" + LogSafe.text(id) + "'";
  }

  @Override
  public String describe() {
    return (id == null ? "unidentified device" : "device '" + id + "'") + " at " + remote;
  }
}
