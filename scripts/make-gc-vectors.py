#!/usr/bin/env python3
"""Writes testdata/gc-vectors.json: gc plan and tombstone vectors computed
from docs/format.md ("Garbage collection (prune)") with Python's own
struct/hashlib and the `cryptography` package, independently of coffer's
TypeScript code. Run: python3 scripts/make-gc-vectors.py"""
import hashlib, json, struct
from pathlib import Path
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives import serialization

def h(label):
    return hashlib.sha256(label.encode()).digest()

owner_seed = h('gc vectors owner')
owner = Ed25519PrivateKey.from_private_bytes(owner_seed)
owner_pub = owner.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
other = Ed25519PrivateKey.from_private_bytes(h('gc vectors other signer'))
other_pub = other.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)

def header(t):
    return b'cofr' + bytes([1, t])

def signed(key, pub, label, body):
    sig = key.sign(label.encode() + b'\x00' + body)
    return struct.pack('<I', len(body)) + body + pub + sig

def plan_body(window, candidates, known):
    out = struct.pack('<Q', window) + struct.pack('<I', len(candidates))
    for pid, ptype in candidates:
        out += pid + bytes([2 if ptype == 'data' else 3])
    out += struct.pack('<I', len(known))
    for iid in known:
        out += iid
    return out

def tombstone_body(packs):
    return struct.pack('<I', len(packs)) + b''.join(packs)

p1, p2, p3 = h('pack 1'), h('pack 2'), h('pack 3')
i1, i2 = h('index 1'), h('index 2')
plan = {'windowMs': 7200000, 'candidates': [(p1, 'data'), (p2, 'tree')], 'knownIndexes': [i1, i2]}
pb = plan_body(plan['windowMs'], plan['candidates'], plan['knownIndexes'])
plan_obj = header(7) + signed(owner, owner_pub, 'coffer/v1/sig/plan', pb)
empty_pb = plan_body(3600000, [], [])
tb = tombstone_body([p1, p3])
tomb_obj = header(8) + signed(owner, owner_pub, 'coffer/v1/sig/tombstone', tb)

neg = []
def add(name, decoder, data, message, **extra):
    neg.append({'name': name, 'decoder': decoder, 'hex': data.hex(), 'message': message, **extra})

add('plan truncated in the window', 'planBody', pb[:5], 'truncated')
add('plan truncated in a candidate', 'planBody', pb[:8 + 4 + 20], 'count')
add('plan with a trailing byte', 'planBody', pb + b'\x00', 'trailing')
add('plan with an unknown pack type', 'planBody', plan_body(7200000, [(p1, 'data')], [])[:8 + 4 + 32] + b'\x04' + struct.pack('<I', 0), 'unknown pack type')
add('plan listing a candidate twice', 'planBody', plan_body(7200000, [(p1, 'data'), (p1, 'data')], []), 'twice')
add('plan listing a known index twice', 'planBody', plan_body(7200000, [], [i1, i1]), 'twice')
add('plan with a window below one hour', 'planBody', plan_body(3599999, [], []), 'below the minimum')
add('plan with a huge candidate count', 'planBody', struct.pack('<Q', 3600000) + struct.pack('<I', 0xffffffff), 'exceeds')
add('tombstone truncated', 'tombstoneBody', tb[:-1], 'exceeds')
add('tombstone with a trailing byte', 'tombstoneBody', tb + b'\x01', 'trailing')
add('tombstone listing a pack twice', 'tombstoneBody', tombstone_body([p1, p1]), 'twice')
add('plan object with a tombstone header', 'planObject', header(8) + plan_obj[6:], 'expected gc plan')
add('tombstone object with a flipped signature bit', 'tombstoneObject', tomb_obj[:-1] + bytes([tomb_obj[-1] ^ 1]), 'signature')
add('plan object signed by another key', 'planObject', header(7) + signed(other, other_pub, 'coffer/v1/sig/plan', pb), 'owner')
add('tombstone object signed with the plan label', 'tombstoneObject', header(8) + signed(owner, owner_pub, 'coffer/v1/sig/plan', tb), 'signature')

vectors = {
    'comment': 'gc plan and tombstone vectors (docs/format.md "Garbage collection (prune)"), made by scripts/make-gc-vectors.py with Python and the cryptography package, independently of coffer. Ids are SHA-256 of ASCII labels; Ed25519 signatures are deterministic. Negative cases must fail with a format or integrity error whose message contains `message`.',
    'ownerPublicKey': owner_pub.hex(),
    'ownerPrivateKey': owner_seed.hex(),
    'plans': [
        {'plan': {'windowMs': plan['windowMs'], 'candidates': [{'id': i.hex(), 'type': t} for i, t in plan['candidates']],
                  'knownIndexes': [i.hex() for i in plan['knownIndexes']]},
         'body': pb.hex(), 'object': plan_obj.hex(), 'id': hashlib.sha256(plan_obj).hexdigest()},
        {'plan': {'windowMs': 3600000, 'candidates': [], 'knownIndexes': []}, 'body': empty_pb.hex()},
    ],
    'tombstones': [
        {'packs': [p1.hex(), p3.hex()], 'body': tb.hex(), 'object': tomb_obj.hex(), 'id': hashlib.sha256(tomb_obj).hexdigest()},
        {'packs': [], 'body': tombstone_body([]).hex()},
    ],
    'negative': neg,
}
out = Path(__file__).resolve().parent.parent / 'testdata' / 'gc-vectors.json'
out.write_text(json.dumps(vectors, indent=1) + '\n')
print(f'wrote {out}')
