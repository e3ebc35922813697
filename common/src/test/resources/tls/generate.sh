#!/usr/bin/env bash
# Regenerates the test-only certificates in this directory (see README.md). Never use them for
# anything but tests: their private keys are public.
set -euo pipefail
cd "$(dirname "$0")"
DAYS=36500 # 100 years, so the tests never start failing because a certificate expired
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; }

ca() { # NAME SUBJECT
  key "$work/$1.key"
  openssl req -x509 -new -key "$work/$1.key" -subj "$2" -days "$DAYS" -sha256 \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -out "$1.pem"
}

leaf() { # NAME SUBJECT CA EXTENSIONS
  key "$1.key"
  openssl req -new -key "$1.key" -subj "$2" -out "$work/$1.csr"
  printf '%s\n' "$4" > "$work/$1.ext"
  openssl x509 -req -in "$work/$1.csr" -CA "$3.pem" -CAkey "$work/$3.key" -CAcreateserial \
    -CAserial "$work/$3.srl" -days "$DAYS" -sha256 -extfile "$work/$1.ext" -out "$1.pem" 2>/dev/null
}

ca ca "/O=distillmesh test/CN=distillmesh test CA"
ca other-ca "/O=somebody else/CN=another test CA"

# The server certificate also allows client use, as a mesh service's certificate does (it is
# both a server and a client of the other services).
leaf server "/O=distillmesh test/CN=localhost" ca "basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature
extendedKeyUsage=serverAuth,clientAuth
subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1"

# Allow-listed in the admin tests by CN, DNS SAN or URI SAN.
leaf client-trainer "/O=distillmesh test/CN=trainer" ca "basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature
extendedKeyUsage=clientAuth
subjectAltName=DNS:trainer.distillmesh.test,URI:spiffe://distillmesh.test/trainer"

# Signed by the right CA but in no allow-list.
leaf client-intruder "/O=distillmesh test/CN=intruder" ca "basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature
extendedKeyUsage=clientAuth"

# Same name as the allow-listed client, wrong CA: must be refused at the handshake.
leaf client-rogue "/O=somebody else/CN=trainer" other-ca "basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature
extendedKeyUsage=clientAuth
subjectAltName=DNS:trainer.distillmesh.test"
