"""Generate EIP-191 personal_sign test vectors for venice-api's web3 signer.

The vectors come from an independent implementation (Python eth-account), so
the Rust tests in ``venice-api/tests/web3_signer.rs`` check our signer against
it. The tests only read the JSON; they never need Python.

Run from the repository root:

    python3 -m venv /tmp/ethvenv && /tmp/ethvenv/bin/pip install eth-account
    /tmp/ethvenv/bin/python venice-api/tests/data/make_eip191_vectors.py

It rewrites ``venice-api/tests/data/eip191_vectors.json`` next to this script.
The committed file was made with eth-account 0.14.0 (Python 3.11).

The keys are public test keys (Hardhat/Anvil defaults and keccak256 of fixed
labels): never use them for real funds.
"""

import json
from importlib.metadata import version
from pathlib import Path

from eth_account import Account
from eth_account.messages import encode_defunct
from eth_utils import keccak

# A JWT-shaped token like the one GET /api_keys/generate_web3_key returns.
JWT = (
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."
    "eyJhZGRyZXNzIjoiMHhmMzlGZDZlNTFhYWQ4OEY2RjRjZTZhQjg4MjcyNzljZmZGYjkyMjY2Iiwi"
    "bm9uY2UiOiI3YjVmMmE5YyIsImlhdCI6MTcxOTk5OTk5OSwiZXhwIjoxNzIwMDAwMjk5fQ."
    "Zk3b0cQm3o0n9Q8m2b7yq1XG8m5tqz8r2oS0Jw4xk2E"
)

KEYS = [
    # Hardhat / Anvil account #0 and #1.
    "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80",
    "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d",
] + ["0x" + keccak(text=f"venice-rs eip191 vector {i}").hex() for i in range(4)] + [
    # Smallest valid key and the largest one (n - 1).
    "0x" + "00" * 31 + "01",
    "0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364140",
]

MESSAGES = [
    JWT,
    "",
    "hello",
    "Venice 🌊 — ünïcödé: 日本語テキスト, emoji 🚀🔑",
    "x" * 1500 + " long message, more than 1000 bytes",
    "line one\nline two\r\n\ttabbed\x00nul",
    JWT,
    "0x1234",  # looks like hex but must be signed as text
]


def main() -> None:
    vectors = []
    for key, message in zip(KEYS, MESSAGES):
        account = Account.from_key(key)
        signed = Account.sign_message(encode_defunct(text=message), private_key=key)
        vectors.append(
            {
                "private_key": key,
                "address": account.address,
                "message": message,
                "signature": "0x" + bytes(signed.signature).hex(),
            }
        )
    out = {
        "generator": f"eth-account {version('eth-account')} via make_eip191_vectors.py",
        "vectors": vectors,
    }
    path = Path(__file__).with_name("eip191_vectors.json")
    path.write_text(json.dumps(out, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {len(vectors)} vectors to {path}")


if __name__ == "__main__":
    main()
