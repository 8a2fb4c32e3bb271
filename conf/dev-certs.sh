#!/usr/bin/env bash
# Development certificates for conf/tls.json: a self-signed CA, a server certificate for
# localhost (SAN DNS:localhost, IP:127.0.0.1) and one client certificate (CN=dev1), all PEM,
# under conf/certs/. Idempotent: files that exist are kept; delete conf/certs/ to start over.
# Not for production: the CA key sits beside the certificates, unencrypted.
set -euo pipefail
dir="$(cd "$(dirname "$0")" && pwd)/certs"
days="${DAYS:-825}"
mkdir -p "$dir"
cd "$dir"
command -v openssl >/dev/null || { echo "dev-certs.sh: openssl is needed" >&2; exit 1; }

if [ ! -s ca.pem ] || [ ! -s ca.key ]; then
  openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days "$days" \
    -keyout ca.key -out ca.pem -subj "/CN=Tributary dev CA" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
  rm -f server.pem client.pem   # a new CA re-signs both
  echo "dev-certs.sh: wrote $dir/ca.pem (CA certificate; give it to clients as --cafile)"
fi

# issue NAME CN EXTENSIONS: a key and a certificate signed by the CA
issue() {
  local name="$1" cn="$2" ext="$3"
  if [ -s "$name.pem" ] && [ -s "$name.key" ]; then
    return
  fi
  openssl req -newkey rsa:2048 -nodes -sha256 -keyout "$name.key" -out "$name.csr" -subj "/CN=$cn" 2>/dev/null
  printf '%b' "$ext" > "$name.ext"
  openssl x509 -req -in "$name.csr" -CA ca.pem -CAkey ca.key -CAcreateserial -sha256 -days "$days" \
    -extfile "$name.ext" -out "$name.pem" 2>/dev/null
  rm -f "$name.csr" "$name.ext"
  echo "dev-certs.sh: wrote $dir/$name.pem and $name.key (CN=$cn)"
}

issue server localhost "basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\nsubjectAltName=DNS:localhost,IP:127.0.0.1\n"
issue client dev1 "basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=clientAuth\n"
chmod 600 ./*.key
rm -f ca.srl
