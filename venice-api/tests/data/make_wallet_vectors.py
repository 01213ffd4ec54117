"""Generate Sign-In-With-X (EIP-4361) and EIP-712 TransferWithAuthorization
vectors for venice-api's wallet payments.

The vectors come from independent implementations: the `siwe` package (the
EIP-4361 reference for Python) writes the messages, and eth-account signs
them (EIP-191) and hashes and signs the EIP-712 typed data. The Rust tests in
``venice-api/tests/wallet_vectors.rs`` check our code against them; they only
read the JSON and never need Python.

Run from the repository root:

    python3 -m venv /tmp/ethvenv && /tmp/ethvenv/bin/pip install eth-account siwe "abnf==2.2.0"
    /tmp/ethvenv/bin/python venice-api/tests/data/make_wallet_vectors.py

It rewrites ``siwx_vectors.json`` and ``eip712_vectors.json`` next to this
script. The versions used are recorded in each file's ``generator``.

The keys are public test keys (Hardhat/Anvil defaults and keccak256 of fixed
labels): never use them for real funds.
"""

import base64
import json
from datetime import datetime, timedelta, timezone
from importlib.metadata import version
from pathlib import Path

from eth_account import Account
from eth_account.messages import encode_defunct, encode_typed_data
from eth_utils import keccak, to_checksum_address
from siwe import SiweMessage

KEYS = [
    # Hardhat / Anvil account #0 and #1.
    "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80",
    "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d",
] + ["0x" + keccak(text=f"venice-rs wallet vector {i}").hex() for i in range(6)]

# What Venice's `siwx` security scheme asks an EVM wallet to sign.
VENICE = {
    "domain": "api.venice.ai",
    "uri": "https://api.venice.ai",
    "statement": "Sign in to Venice API",
    "version": "1",
    "chain_id": 8453,
}
TTL = timedelta(minutes=10)

# Base USDC, as the Base option of a top-up names it.
BASE_USDC = "0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913"
U64_MAX = 2**64 - 1
U128_MAX = 2**128 - 1


def iso_millis(moment: datetime) -> str:
    """JavaScript's `Date.toISOString()`: UTC, milliseconds, `Z`."""
    return moment.astimezone(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def sign_text(key: str, text: str) -> str:
    signed = Account.sign_message(encode_defunct(text=text), private_key=key)
    return "0x" + bytes(signed.signature).hex()


def venice_sign_in(key: str, issued_at: datetime, nonce: str) -> dict:
    """A Venice-shaped sign-in and the SIGN-IN-WITH-X header made from it."""
    address = Account.from_key(key).address
    message = SiweMessage(
        address=address,
        nonce=nonce,
        issued_at=iso_millis(issued_at),
        expiration_time=iso_millis(issued_at + TTL),
        **VENICE,
    ).prepare_message()
    signature = sign_text(key, message)
    timestamp = int(issued_at.timestamp() * 1000)
    # JSON.stringify's output: no spaces, keys in this order, non-ASCII as is.
    envelope = json.dumps(
        {"address": address, "message": message, "signature": signature, "timestamp": timestamp, "chainId": 8453},
        separators=(",", ":"),
        ensure_ascii=False,
    )
    return {
        "private_key": key,
        "address": address,
        "issued_at": iso_millis(issued_at),
        "nonce": nonce,
        "message": message,
        "signature": signature,
        "timestamp": timestamp,
        "header": base64.b64encode(envelope.encode()).decode(),
    }


def parsed_message(key: str, **fields) -> dict:
    """Any EIP-4361 message (for the parser), with the fields it was made from."""
    address = Account.from_key(key).address
    message = SiweMessage(address=address, **fields).prepare_message()
    # Round trip through siwe's own ABNF parser: what it reads back is the reference.
    again = SiweMessage.from_message(message, abnf=True)
    assert again.prepare_message() == message
    return {
        "address": address,
        "fields": {k: (str(v) if k == "version" else v) for k, v in fields.items()},
        "message": message,
        "signature": sign_text(key, message),
    }


def siwx_vectors() -> dict:
    start = datetime(2026, 4, 9, 12, 0, 0, 123000, tzinfo=timezone.utc)
    sign_ins = [
        venice_sign_in(KEYS[0], start, "a1b2c3d4e5f60718"),
        venice_sign_in(KEYS[1], start + timedelta(days=400, milliseconds=1), "0000000000000000"),
        venice_sign_in(KEYS[2], datetime(2030, 1, 1, tzinfo=timezone.utc), "ffffffffffffffff"),
        venice_sign_in(KEYS[3], datetime(2025, 12, 31, 23, 55, 0, 999000, tzinfo=timezone.utc), "9f8e7d6c5b4a3921"),
    ]
    messages = [
        parsed_message(KEYS[0], domain="api.venice.ai", uri="https://api.venice.ai", version="1", chain_id=8453,
                       nonce="32891756", issued_at="2021-09-30T16:25:24Z"),
        parsed_message(KEYS[1], domain="example.com", statement="I accept the ExampleOrg Terms of Service: https://example.com/tos",
                       uri="https://example.com/login", version="1", chain_id=1, nonce="32891756abc",
                       issued_at="2021-09-30T16:25:24.000Z", expiration_time="2021-10-01T16:25:24+02:00",
                       not_before="2021-09-30T16:20:00Z", request_id="request-7",
                       resources=["ipfs://bafybeiemxf5abjwjbikoz4mc3a3dla6ual3jsgpdr4cjr3oz3evfyavhwq/",
                                  "https://example.com/my-web2-claim.json"]),
        parsed_message(KEYS[2], scheme="https", domain="localhost:4361", uri="https://localhost/login", version="1",
                       chain_id=84532, nonce="ABCDEFGH12345678", issued_at="2026-04-09T12:00:00.5Z",
                       statement="Sign in to Venice API"),
    ]
    return {
        "generator": f"siwe {version('siwe')} and eth-account {version('eth-account')} via make_wallet_vectors.py",
        "ttl_seconds": int(TTL.total_seconds()),
        "sign_ins": sign_ins,
        "messages": messages,
    }


def typed_data(domain: dict, message: dict) -> dict:
    return {
        "types": {
            "EIP712Domain": [
                {"name": "name", "type": "string"},
                {"name": "version", "type": "string"},
                {"name": "chainId", "type": "uint256"},
                {"name": "verifyingContract", "type": "address"},
            ],
            "TransferWithAuthorization": [
                {"name": "from", "type": "address"},
                {"name": "to", "type": "address"},
                {"name": "value", "type": "uint256"},
                {"name": "validAfter", "type": "uint256"},
                {"name": "validBefore", "type": "uint256"},
                {"name": "nonce", "type": "bytes32"},
            ],
        },
        "primaryType": "TransferWithAuthorization",
        "domain": domain,
        "message": message,
    }


def transfer(key: str, domain: dict, to: str, value: int, valid_after: int, valid_before: int, nonce: bytes) -> dict:
    account = Account.from_key(key)
    message = {
        "from": account.address,
        "to": to_checksum_address(to),
        "value": value,
        "validAfter": valid_after,
        "validBefore": valid_before,
        "nonce": nonce,
    }
    signable = encode_typed_data(full_message=typed_data(domain, message))
    signed = Account.sign_message(signable, private_key=key)
    digest = keccak(b"\x19" + signable.version + signable.header + signable.body)
    assert digest == bytes(signed.message_hash)
    return {
        "private_key": key,
        "domain": domain,
        # Numbers as the x402 payload writes them: decimal strings; the nonce as 0x-hex.
        "message": {**message, "value": str(value), "validAfter": str(valid_after),
                    "validBefore": str(valid_before), "nonce": "0x" + nonce.hex()},
        "domain_separator": "0x" + bytes(signable.header).hex(),
        "struct_hash": "0x" + bytes(signable.body).hex(),
        "digest": "0x" + digest.hex(),
        "signature": "0x" + bytes(signed.signature).hex(),
    }


def eip712_vectors() -> dict:
    usdc = {"name": "USD Coin", "version": "2", "chainId": 8453, "verifyingContract": BASE_USDC}
    pay_to = "0x45b73055f3adcc4577bb709db10b19d11b5c94ee"
    vectors = [
        # A $5 top-up, the minimum.
        transfer(KEYS[0], usdc, pay_to, 5_000_000, 1_775_735_940, 1_775_736_300, keccak(text="nonce 0")),
        # $10.123456: every one of the six decimals.
        transfer(KEYS[1], usdc, pay_to, 10_123_456, 0, 1_775_736_300, bytes(32)),
        # Beyond u64, and the largest u128.
        transfer(KEYS[2], usdc, pay_to, 2**64, 1, U64_MAX, b"\xff" * 32),
        transfer(KEYS[3], usdc, pay_to, U128_MAX, U64_MAX - 1, U64_MAX, keccak(text="nonce 3")),
        transfer(KEYS[4], usdc, pay_to, 0, 0, 0, keccak(text="nonce 4")),
        # Other domains: Base Sepolia's USDC, a non-ASCII name, a long version, chain 1.
        transfer(KEYS[5], {"name": "USDC", "version": "2", "chainId": 84532,
                           "verifyingContract": "0x036CbD53842c5426634e7929541eC2318f3dCF7e"},
                 pay_to, 1, 1_700_000_000, 1_700_000_300, keccak(text="nonce 5")),
        transfer(KEYS[6], {"name": "Ünïcödé Døllar 🪙", "version": "2.0.1-beta", "chainId": 1,
                           "verifyingContract": "0x" + "00" * 20},
                 "0x" + "ab" * 20, 123_456_789_012_345_678_901, 42, 43, keccak(text="nonce 6")),
        transfer(KEYS[7], {"name": "", "version": "", "chainId": 2**63, "verifyingContract": BASE_USDC},
                 pay_to, 999_999, 10, 20, keccak(text="nonce 7")),
    ]
    return {
        "generator": f"eth-account {version('eth-account')} via make_wallet_vectors.py",
        "vectors": vectors,
    }


def write(name: str, data: dict) -> None:
    path = Path(__file__).with_name(name)
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {path}")


def main() -> None:
    write("siwx_vectors.json", siwx_vectors())
    write("eip712_vectors.json", eip712_vectors())


if __name__ == "__main__":
    main()
