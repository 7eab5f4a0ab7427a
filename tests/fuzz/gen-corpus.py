#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Writes the seed corpora tests/fuzz/corpus/{rtp,rtcp,demux,vp8,vp9,av1-dd}/: valid packets shaped like what
browsers send to a Jitsi-style bridge, plus hand-made mutations aimed at each bounds check.
The output is committed; rerun this after changing it (files are overwritten, not deleted)."""
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))


def rtp(pt=111, seq=1, ts=1000, ssrc=0x8A4F1C3E, marker=False, csrcs=(), ext=None,
        profile=0xBEDE, payload=b"", padding=0):
    b0 = 0x80 | (0x20 if padding else 0) | (0x10 if ext is not None else 0) | len(csrcs)
    out = struct.pack("!BBHII", b0, (0x80 if marker else 0) | pt, seq, ts, ssrc)
    for c in csrcs:
        out += struct.pack("!I", c)
    if ext is not None:
        ext = ext + b"\0" * (-len(ext) % 4)
        out += struct.pack("!HH", profile, len(ext) // 4) + ext
    out += payload
    if padding:
        out += b"\0" * (padding - 1) + bytes([padding])
    return out


def one(id_, data):
    return bytes([id_ << 4 | (len(data) - 1)]) + data


def two(id_, data):
    return bytes([id_, len(data)]) + data


def rtcp(pt, count, body, pad=0):
    body = body + b"\0" * (-len(body) % 4)
    if pad:
        body += b"\0" * (pad - 1) + bytes([pad])
    return struct.pack("!BBH", 0x80 | (0x20 if pad else 0) | count, pt, (len(body) + 4) // 4 - 1) + body


def block(ssrc, frac=0, lost=0, ehs=0, jitter=0, lsr=0, dlsr=0):
    return struct.pack("!IB", ssrc, frac) + (lost & 0xFFFFFF).to_bytes(3, "big") + \
        struct.pack("!IIII", ehs, jitter, lsr, dlsr)


def write(target, name, data):
    d = os.path.join(HERE, "corpus", target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def gen_rtp():
    audio = rtp(111, 6699, 123456, ext=one(1, b"\xa3") + one(5, b"\x00\x2a") + one(10, b"0"),
                payload=bytes.fromhex("780be4c136ecc580"))
    video = rtp(100, 12345, 0x5BA02F10, 0x2C8D4311, marker=True,
                ext=one(3, b"\x12\x34\x56") + one(5, b"\x00\x2b") + one(10, b"1"),
                payload=bytes.fromhex("90802a1002009d012a") + bytes(range(64)))
    probe = rtp(96, 7, ext=one(3, b"\x12\x34\x99") + one(5, b"\x00\x2c"), padding=224)
    twob = rtp(111, 65535, 0xFFFFFFFF, 1, csrcs=(0x11111111, 0x22222222),
               ext=two(1, b"\x05") + two(20, b"") + b"\0" + two(10, b"abcdefghijklmnopq"),
               profile=0x1000, payload=b"\xde\xad\xbe\xef")
    seeds = {
        "chrome-audio": audio,
        "chrome-video": video,
        "chrome-probe": probe,
        "two-byte-csrc": twob,
        "plain": rtp(0, 1, 2, 3),
        "plain-payload": rtp(8, 100, 160, 4, payload=b"\xd5" * 160),
        "csrc-15": rtp(0, csrcs=tuple(range(1, 16)), payload=b"x"),
        "ext-empty": rtp(ext=b""),
        "ext-other-profile": rtp(ext=b"\x01\x02\x03\x04", profile=0x1234),
        "ext-appbits": rtp(ext=two(200, b"rid0"), profile=0x100F),
        "ext-id15": rtp(ext=one(1, b"\x80") + b"\xf0" + one(5, b"\x00\x01")),
        "ext-padding-between": rtp(ext=b"\x00\x00" + one(5, b"\xff\xff") + b"\x00" + one(10, b"m")),
        "ext-long-mid": rtp(ext=one(10, b"0123456789abcdef")),
        "ext-many": rtp(ext=b"".join(one(i, bytes([i]) * i) for i in range(1, 15))),
        "rtx-osn": rtp(96, 9, payload=b"\x30\x39" + b"v" * 20),
        "padding-1": rtp(payload=b"ab", padding=1),
        "padding-255": rtp(payload=b"", padding=255),
    }
    for name, data in seeds.items():
        write("rtp", name, data)

    muts = {
        "bad-version-0": bytes([audio[0] & 0x3F]) + audio[1:],
        "bad-version-3": bytes([audio[0] | 0xC0]) + audio[1:],
        "cc-overrun": bytes([audio[0] | 0x0F]) + audio[1:],
        "ext-len-overrun": audio[:14] + b"\x00\x09" + audio[16:],
        "ext-len-max": audio[:14] + b"\xff\xff" + audio[16:],
        "ext-elem-overrun": audio[:21] + b"\xaf" + audio[22:],
        "ext-header-cut": audio[:14],
        "two-byte-elem-overrun": twob[:31] + b"\xff" + twob[32:],
        "two-byte-lone-id": twob[:51] + b"\x07" + twob[52:],
        "padding-zero": bytes([audio[0] | 0x20]) + audio[1:-1] + b"\x00",
        "padding-overrun": bytes([audio[0] | 0x20]) + audio[1:-1] + b"\x09",
        "padding-bare-header": bytes([0xA0]) + rtp(0)[1:],
        "short-11": audio[:11],
        "rtcp-looking": bytes([0x80, 0xC8]) + audio[2:],
    }
    for name, data in muts.items():
        write("rtp", "mut-" + name, data)


def gen_rtcp():
    sr = rtcp(200, 1, struct.pack("!IIIIII", 0x8A4F1C3E, 0xE8A1B2C3, 0x40000000, 123456, 100,
                                  16000) + block(0x2C8D4311, 25, -2, 0x13039, 32, 0xB2C34000, 0x10000))
    sdes = rtcp(202, 1, struct.pack("!I", 0x8A4F1C3E) + b"\x01\x10k2Jd8F0qHm5Q/p+x\x00")
    rr = rtcp(201, 2, struct.pack("!I", 1) + block(0x11, 255, 0x7FFFFF) + block(0x22, 0, -0x800000))
    rr0 = rtcp(201, 0, struct.pack("!I", 1))
    pli = rtcp(206, 1, struct.pack("!II", 1, 0x2C8D4311))
    fir = rtcp(206, 4, struct.pack("!III", 1, 0, 0x2C8D4311) + b"\x07\0\0\0" +
               struct.pack("!I", 0x99) + b"\xff\0\0\0")
    remb = rtcp(206, 15, struct.pack("!II", 1, 0) + b"REMB\x02\x0e\xdc\x6c" + struct.pack("!II", 5, 6))
    nack = rtcp(205, 1, struct.pack("!II", 1, 0x2C8D4311) + bytes.fromhex("fffe8001 00640000 7fff0000"))
    tcc = rtcp(205, 15, struct.pack("!II", 1, 0x8A4F1C3E) + bytes.fromhex("002a0003fffffe07 2003 04080c"), pad=3)
    bye = rtcp(203, 1, struct.pack("!I", 0x8A4F1C3E) + b"\x04gone")
    app = rtcp(204, 3, struct.pack("!I", 1) + b"PARL" + b"data")
    xr = rtcp(207, 0, struct.pack("!I", 1) + bytes.fromhex("04000002 e8a1b2c3 40000000"))
    seeds = {
        "sr-sdes": sr + sdes,
        "sr": sr,
        "rr": rr,
        "rr-empty": rr0,
        "rr-sdes": rr0 + sdes,
        "pli": pli,
        "fir": fir,
        "remb": remb,
        "nack": nack,
        "tcc-padded": tcc,
        "bye": bye,
        "app": app,
        "xr": xr,
        "compound-all": rr + sdes + remb + nack + pli + fir + tcc + bye,
        "remb-max-exp": rtcp(206, 15, struct.pack("!II", 1, 0) + b"REMB\x00\xff\xff\xff"),
        "afb-not-remb": rtcp(206, 15, struct.pack("!II", 1, 0) + b"GOOG\x00\x00\x00\x00"),
    }
    for name, data in seeds.items():
        write("rtcp", name, data)
    muts = {
        "bad-version": bytes([0x41]) + sr[1:],
        "bad-type-72": sr[:1] + b"\x48" + sr[2:],
        "bad-type-224": sr[:1] + b"\xe0" + sr[2:],
        "length-overrun": sr[:2] + b"\x00\x20" + sr[4:],
        "second-truncated": sr + sdes[:-4],
        "tail-3-bytes": sr + b"\x80\xc9\x00",
        "padding-zero": bytes([pli[0] | 0x20]) + pli[1:-1] + b"\x00",
        "padding-overrun": bytes([pli[0] | 0x20]) + pli[1:-1] + b"\x09",
        "padding-header-only": b"\xa0\xc9\x00\x00",
        "sr-rc-too-big": bytes([0x82]) + sr[1:],
        "rr-rc-31": bytes([0x9F]) + rr0[1:],
        "remb-ssrcs-overrun": remb[:16] + b"\x09" + remb[17:],
        "nack-no-fci": rtcp(205, 1, struct.pack("!II", 1, 2)),
        "fb-short": rtcp(206, 1, struct.pack("!I", 1)),
        "bye-reason-overrun": bye[:8] + b"\x20" + bye[9:],
        "bye-count-overrun": bytes([0x9F]) + bye[1:],
        "fir-partial-entry": rtcp(206, 4, struct.pack("!IIi", 1, 0, 5)),
    }
    for name, data in muts.items():
        write("rtcp", "mut-" + name, data)


def gen_demux():
    seeds = {
        "stun-binding": bytes.fromhex("000100082112a442") + bytes(12) + bytes.fromhex("80220004") + b"test",
        "stun-short": bytes.fromhex("0001000821"),
        "zrtp": b"\x10\x00\x00\x01ZRTP" + bytes(4) + b"\x50\x5a\x00\x03HelloACK" + bytes(4),
        "dtls-client-hello": bytes.fromhex("16fefd0000000000000000002e") + bytes(46),
        "dtls-short": bytes.fromhex("16fefd00000000"),
        "turn-channel": bytes.fromhex("40000004") + b"data",
        "rtp": rtp(111, 1, 2, 3, payload=b"opus"),
        "rtp-11": rtp(111)[:11],
        "rtcp-rr": rtcp(201, 0, struct.pack("!I", 1)),
        "rtcp-7": rtcp(201, 0, struct.pack("!I", 1))[:7],
        "rtcp-bad-length": b"\x80\xc8\x00\x40" + bytes(8),
        "rtp-pt72": b"\x80\x48" + bytes(10),
        "second-byte-223": b"\x80\xdf" + bytes(10),
        "quic-long": b"\xc3\x00\x00\x00\x01" + bytes(20),
        "unknown-8": b"\x08" * 30,
        "empty": b"",
        "one-byte-rtp": b"\x80",
    }
    for name, data in seeds.items():
        write("demux", name, data)


def bits(s):
    """'0'/'1' characters (others ignored) packed into bytes, zero-padded."""
    b = [c for c in s if c in "01"]
    b += ["0"] * (-len(b) % 8)
    return bytes(int("".join(b[i:i + 8]), 2) for i in range(0, len(b), 8))


def gen_codecs():
    vp8 = {
        "key-start": bytes.fromhex("90e0923405205042009d012a80026801aabb"),
        "delta-t2": bytes.fromhex("a1a02a801122"),
        "keyidx": bytes.fromhex("80103f00"),
        "bare": bytes.fromhex("1001"),
        "desc-only": bytes.fromhex("90e0923405"),
    }
    for name, data in vp8.items():
        write("vp8", name, data)
    vp9 = {
        "key-s0-ss": bytes.fromhex("aa8102000758014000b40280016805000" "2d002003401c700"),
        "key-s1": bytes.fromhex("ac8102030711"),
        "flexible": bytes.fromhex("fc05500304" "99"),
        "four-pdiffs": bytes.fromhex("f8055003050708" "99"),
        "plain": bytes.fromhex("0c82"),
        "ss-short": bytes.fromhex("02080500"),
    }
    for name, data in vp9.items():
        write("vp9", name, data)
    l1t2 = bits("1 1 000000 0000000100000010 1 0 0 0 0 000000 00001 00 01 11"
                " 1010 1010 0001 0 100010 100000 10 0000 0010 0001"
                " 1 0000001001111111 0000000101100111")
    l2t2 = bits("1 0 001010 0000000000000111 1 0 0 0 0 001010 00011 01 10 01 11"
                " 10101010 00010001 00001010 00000001 0 0 0 0 00 0")
    custom = bits("1 1 001100 0000000000001000 0 1 0 1 0 0011 11 000100101011 01 0000 00")

    def seq(*descs):
        return b"".join(bytes([len(d)]) + d for d in descs)

    dd = {
        "l1t2-stream": seq(l1t2, b"\xc1\x01\x04", b"\x82\x01\x05", b"\xc3\x01\x06"),
        "l2t2-custom": seq(l2t2, b"\xcd\x00\x09", custom, b"\xc9\x00\x0a"),
        "no-structure": seq(b"\xc1\x01\x04", l1t2[:9], l1t2),
        "short": seq(b"\xc1\x01"),
    }
    for name, data in dd.items():
        write("av1-dd", name, data)


if __name__ == "__main__":
    gen_rtp()
    gen_rtcp()
    gen_demux()
    gen_codecs()
