package io.tributary.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tributary.router.counters.BrokerCounters.Counter;
import io.tributary.router.security.AccessRules;
import io.tributary.router.security.Authorizer;
import io.tributary.router.security.PasswordAuthenticator;
import io.tributary.router.security.PasswordAuthenticator.Anonymous;
import io.tributary.router.security.PasswordFile;
import io.tributary.router.security.PasswordHash;
import io.tributary.tcp.RawTcpListenerTest.Sub;
import java.io.DataInputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Raw-TCP devices under the same rules as MQTT clients: {@code id:token} logs in as user {@code id}
 * with password {@code token} against the password file; the access rules decide whether a device
 * may send (its uplink topic) and whether it gets a downlink.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class DeviceSecurityTest {

  private static PasswordAuthenticator passwords() {
    PasswordFile file = PasswordFile.empty();
    for (String user : List.of("dev7", "dev8", "dev9")) {
      file.put(user, PasswordHash.create(("secret-" + user.charAt(3)).getBytes(StandardCharsets.UTF_8), 1_000));
    }
    return new PasswordAuthenticator(file, Anonymous.DENY);
  }

  private static long count(DeviceFixture f, Counter c) {
    return f.broker.counters().get(c);
  }

  @Test
  void firstFrameTokenIsTheDevicesPassword() throws Exception {
    RawTcpOptions o = new RawTcpOptions().setLoginAuthenticator(passwords());
    try (DeviceFixture f = new DeviceFixture(o); Sub sub = new Sub(f, "devices/+/up")) {
      try (Socket d = RawTcpListenerTest.device(f)) {
        RawTcpListenerTest.send(d, "dev7:secret-7\nv=1\nv=2\n"); // frames behind the login wait for it
        assertEquals("v=1", sub.next().payload());
        assertEquals("v=2", sub.next().payload());
      }
      for (String first : List.of("dev7:wrong", "dev7", "nobody:secret-7", "dev8:secret-7")) {
        try (Socket d = RawTcpListenerTest.device(f)) {
          RawTcpListenerTest.send(d, first + "\nv=3\n");
          assertTrue(RawTcpListenerTest.closedByBroker(d), first);
        }
      }
      assertEquals(4, count(f, Counter.LOGINS_REFUSED_BAD_CREDENTIALS), "each refusal counted, none says why");
      assertEquals(4, count(f, Counter.DEVICES_REJECTED));
      assertEquals(2, f.broker.publishedCount(), "nothing of a refused device was stored");
    }
  }

  @Test
  void addressIdentifiedDevicesAreAnonymous() throws Exception {
    RawTcpOptions o = new RawTcpOptions().setIdentify(RawTcpOptions.Identify.REMOTE_ADDRESS)
        .setLoginAuthenticator(passwords());
    try (DeviceFixture f = new DeviceFixture(o); Socket d = RawTcpListenerTest.device(f)) {
      RawTcpListenerTest.send(d, "hello\n");
      assertTrue(RawTcpListenerTest.closedByBroker(d), "anonymous refused with a password file");
      assertEquals(1, count(f, Counter.LOGINS_REFUSED_NOT_AUTHORIZED));
      assertEquals(0, f.broker.publishedCount());
    }
  }

  @Test
  void accessRulesDecideUplinkAndDownlink() throws Exception {
    RawTcpOptions o = new RawTcpOptions().setLoginAuthenticator(passwords());
    try (DeviceFixture f = new DeviceFixture(o)) {
      f.broker.setAuthorizer(new Authorizer(AccessRules.parse(List.of(
          "topic readwrite devices/#", // the anonymous MQTT test client
          "pattern write devices/%u/up",
          "user dev7",
          "topic read devices/dev7/down",
          "user dev8",
          "topic deny devices/dev8/up"), "test.acl")));
      try (Sub sub = new Sub(f, "devices/+/up")) {
        try (Socket dev8 = RawTcpListenerTest.device(f)) {
          RawTcpListenerTest.send(dev8, "dev8:secret-8\nnot stored\n");
          assertTrue(RawTcpListenerTest.closedByBroker(dev8), "may not publish to its uplink: closed");
        }
        try (Socket dev7 = RawTcpListenerTest.device(f); Socket dev9 = RawTcpListenerTest.device(f)) {
          RawTcpListenerTest.send(dev7, "dev7:secret-7\nfrom 7\n");
          assertEquals("from 7", sub.next().payload());
          RawTcpListenerTest.send(dev9, "dev9:secret-9\nfrom 9\n");
          assertEquals("from 9", sub.next().payload());
          sub.publish("devices/dev9/down", "ignored".getBytes(StandardCharsets.UTF_8));
          sub.publish("devices/dev7/down", "reboot".getBytes(StandardCharsets.UTF_8));
          byte[] b = new byte[7];
          new DataInputStream(dev7.getInputStream()).readFully(b);
          assertEquals("reboot\n", new String(b, StandardCharsets.UTF_8));
          dev9.setSoTimeout(500);
          assertFalse(readsAnything(dev9), "dev9 may not read its downlink: none was subscribed");
        }
        assertEquals(4, f.broker.publishedCount(), "two uplink frames, two downlink publishes");
        assertEquals(1, count(f, Counter.PUBLISHES_DENIED));
        assertEquals(1, count(f, Counter.SUBSCRIPTIONS_DENIED));
      }
    }
  }

  @Test
  void aDeviceOverThePublishRateIsSlowedNotDropped() throws Exception {
    RawTcpOptions o = new RawTcpOptions().setPublishRates(20, 0);
    try (DeviceFixture f = new DeviceFixture(o); Sub sub = new Sub(f, "devices/+/up");
        Socket d = RawTcpListenerTest.device(f)) {
      RawTcpListenerTest.send(d, "dev5\nfirst\n");
      assertEquals("first", sub.next().payload());
      StringBuilder burst = new StringBuilder();
      for (int i = 0; i < 60; i++) {
        burst.append("m").append(i).append('\n');
      }
      long start = System.nanoTime();
      RawTcpListenerTest.send(d, burst.toString());
      for (int i = 0; i < 60; i++) {
        assertEquals("m" + i, sub.next().payload(), "every frame, in order");
      }
      long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      // A lower bound (the rate holds), not a speed expectation.
      assertTrue(ms >= 1_000, "60 frames at 20/s took only " + ms + " ms");
      assertTrue(count(f, Counter.PUBLISHES_THROTTLED) > 0);
    }
  }

  private static boolean readsAnything(Socket s) throws java.io.IOException {
    try {
      return s.getInputStream().read() >= 0;
    } catch (SocketTimeoutException e) {
      return false;
    }
  }
}
