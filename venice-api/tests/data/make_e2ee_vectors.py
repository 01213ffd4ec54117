"""Generate E2EE (Venice private inference) test vectors for venice-api's `tee` module.

The vectors come from an independent implementation (Python `cryptography`, which calls
OpenSSL), so the Rust tests in ``venice-api/tests/e2ee_vectors.rs`` check our encryption
against it. The tests only read the JSON; they never need Python.

The scheme, as Venice documents it: ECDH on secp256k1 between a one-off ("ephemeral") key
and the recipient's public key; the shared secret is the 32-byte big-endian x-coordinate;
AES key = HKDF-SHA256 of it (no salt, info ``ecdsa_encryption``, 32 bytes); AES-256-GCM with a
12-byte nonce and no associated data; the field sent is lowercase hex of
``ephemeral public key (65 bytes, uncompressed) || nonce || ciphertext || tag``.

- ``requests``: a user or system message encrypted to the model's (enclave's) key, with the
  one-off key and the nonce fixed, so a Rust encryption given the same two must produce the
  same hex byte for byte.
- ``answers``: an answer chunk encrypted by the enclave to the client's session key; Rust
  must decode it with the session's private key.

Run from the repository root:

    python3 -m venv /tmp/teevenv && /tmp/teevenv/bin/pip install cryptography
    /tmp/teevenv/bin/python venice-api/tests/data/make_e2ee_vectors.py

It rewrites ``venice-api/tests/data/e2ee_vectors.json`` next to this script. The keys are
derived from fixed labels: test keys, never to be used for anything else.
"""

import hashlib
import json
from importlib.metadata import version
from pathlib import Path

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

CURVE_ORDER = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
HKDF_INFO = b"ecdsa_encryption"


def private_key(label: str) -> ec.EllipticCurvePrivateKey:
    """A valid secp256k1 private key derived from `label`."""
    scalar = int.from_bytes(hashlib.sha256(label.encode()).digest(), "big") % (CURVE_ORDER - 1) + 1
    return ec.derive_private_key(scalar, ec.SECP256K1())


def private_hex(key: ec.EllipticCurvePrivateKey) -> str:
    return key.private_numbers().private_value.to_bytes(32, "big").hex()


def public_bytes(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )


def nonce(label: str) -> bytes:
    return hashlib.sha256(("nonce " + label).encode()).digest()[:12]


def encrypt(plaintext: str, recipient: ec.EllipticCurvePublicKey, one_off, iv: bytes) -> dict:
    shared = one_off.exchange(ec.ECDH(), recipient)
    aes_key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=HKDF_INFO).derive(shared)
    sealed = AESGCM(aes_key).encrypt(iv, plaintext.encode("utf-8"), None)
    return {
        "shared_secret": shared.hex(),
        "aes_key": aes_key.hex(),
        "ciphertext": (public_bytes(one_off) + iv + sealed).hex(),
    }


PLAINTEXTS = [
    "What is 2+2? Answer briefly.",
    "",
    "You are a careful assistant. Answer in one sentence.",
    "Venice 🌊 — ünïcödé: 日本語テキスト, emoji 🚀🔑",
    "line one\nline two\r\n\ttabbed\x00nul",
    "deadbeef" * 30,  # looks like hex, must still be encrypted as text
    "A long prompt. " * 400,
    "{\"role\": \"user\", \"content\": \"json inside\"}",
]


def main() -> None:
    model = private_key("venice-rs e2ee vector model key")
    client = private_key("venice-rs e2ee vector client session key")
    model_public = public_bytes(model)
    client_public = public_bytes(client)
    requests = []
    answers = []
    for i, text in enumerate(PLAINTEXTS):
        one_off = private_key(f"venice-rs e2ee vector request {i}")
        iv = nonce(f"request {i}")
        requests.append(
            {
                "role": "system" if i == 2 else "user",
                "plaintext": text,
                "ephemeral_private_key": private_hex(one_off),
                "nonce": iv.hex(),
                **encrypt(text, model.public_key(), one_off, iv),
            }
        )
        server_one_off = private_key(f"venice-rs e2ee vector answer {i}")
        iv = nonce(f"answer {i}")
        answers.append(
            {
                "plaintext": text,
                "ephemeral_private_key": private_hex(server_one_off),
                "nonce": iv.hex(),
                **encrypt(text, client.public_key(), server_one_off, iv),
            }
        )
    out = {
        "generator": f"cryptography {version('cryptography')} via make_e2ee_vectors.py",
        "hkdf_info": HKDF_INFO.decode(),
        "model_private_key": private_hex(model),
        "model_public_key": model_public.hex(),
        # As some attestation answers give it: the 64 bytes of x and y without the `04` tag.
        "model_public_key_without_prefix": model_public[1:].hex(),
        "client_private_key": private_hex(client),
        "client_public_key": client_public.hex(),
        "requests": requests,
        "answers": answers,
    }
    path = Path(__file__).with_name("e2ee_vectors.json")
    path.write_text(json.dumps(out, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {len(requests)} request and {len(answers)} answer vectors to {path}")


if __name__ == "__main__":
    main()
