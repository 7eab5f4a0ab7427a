#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Writes the seed corpora of the XMPP-side fuzz targets, tests/fuzz/corpus/<target>/:
stanzas shaped like what Jicofo, JVB, lib-jitsi-meet and the MUC service send (the shapes of
the unit tests' fixtures and docs jitsi-wire-reference.md), plus mutations aimed at each
validation. The output is committed; rerun this after changing it (files are overwritten,
not deleted). Keep every file small: the replay runs every prefix of it."""
import os

HERE = os.path.dirname(os.path.abspath(__file__))

NS_C2 = "jitsi:colibri2"
NS_RTP = "urn:xmpp:jingle:apps:rtp:1"
NS_HDR = "urn:xmpp:jingle:apps:rtp:rtp-hdrext:0"
NS_FB = "urn:xmpp:jingle:apps:rtp:rtcp-fb:0"
NS_SSMA = "urn:xmpp:jingle:apps:rtp:ssma:0"
NS_ICE = "urn:xmpp:jingle:transports:ice-udp:1"
NS_DTLS = "urn:xmpp:jingle:apps:dtls:0"
NS_COLIBRI = "http://jitsi.org/protocol/colibri"
NS_STANZAS = "urn:ietf:params:xml:ns:xmpp-stanzas"
NS_FOCUS = "http://jitsi.org/protocol/focus"
NS_MUC_USER = "http://jabber.org/protocol/muc#user"
NS_NICK = "http://jabber.org/protocol/nick"

FP = "8F:1A:7C:22:90:4E:DD:03:5B:61:C8:0E:AA:17:3F:92:64:B0:5D:11:E9:47:0C:38:D2:86:7A:FE:15:C4:09:B3"


def write(target, name, text):
    d = os.path.join(HERE, "corpus", target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(text.encode("utf-8") if isinstance(text, str) else text)


def cand(ip="10.0.0.5", port=10000, typ="host", comp=1, prio=2130706431, proto="udp",
         extra="", cid="c1"):
    return (f"<candidate component='{comp}' foundation='1' generation='0' id='{cid}' ip='{ip}'"
            f" network='0' port='{port}' priority='{prio}' protocol='{proto}' type='{typ}'{extra}/>")


def transport(inner="", ufrag="Hq3f", pwd="2vRgMNbhZDbT0mvN6dSo9xh4", fp=FP, setup="actpass",
              ws=True):
    out = f"<transport xmlns='{NS_ICE}'"
    if ufrag is not None:
        out += f" ufrag='{ufrag}' pwd='{pwd}'"
    out += "><rtcp-mux/>"
    if fp is not None:
        out += f"<fingerprint xmlns='{NS_DTLS}' hash='sha-256' setup='{setup}'>{fp}</fingerprint>"
    out += inner
    if ws:
        out += (f"<web-socket xmlns='{NS_COLIBRI}'"
                " url='wss://meet.example.org/colibri-ws/jvb1/8a1b/abcd1234?pwd=x'/>")
    return out + "</transport>"


def opus():
    return (f"<payload-type xmlns='{NS_RTP}' id='111' name='opus' clockrate='48000' channels='2'>"
            "<parameter name='minptime' value='10'/><parameter name='useinbandfec' value='1'/>"
            f"<rtcp-fb xmlns='{NS_FB}' type='transport-cc'/></payload-type>")


def vp8():
    return (f"<payload-type xmlns='{NS_RTP}' id='100' name='VP8' clockrate='90000'>"
            f"<rtcp-fb xmlns='{NS_FB}' type='ccm' subtype='fir'/>"
            f"<rtcp-fb xmlns='{NS_FB}' type='nack'/>"
            f"<rtcp-fb xmlns='{NS_FB}' type='nack' subtype='pli'/></payload-type>"
            f"<payload-type xmlns='{NS_RTP}' id='96' name='rtx' clockrate='90000'>"
            "<parameter name='apt' value='100'/></payload-type>")


def hdr(i, uri):
    return f"<rtp-hdrext xmlns='{NS_HDR}' id='{i}' uri='{uri}'/>"


AUDIO = ("<media type='audio'>" + opus() + hdr(1, "urn:ietf:params:rtp-hdrext:ssrc-audio-level")
         + hdr(5, "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01")
         + f"<extmap-allow-mixed xmlns='{NS_HDR}'/></media>")
VIDEO = ("<media type='video'>" + vp8() + hdr(3, "http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time")
         + "</media>")
SOURCES = ("<sources><media-source type='audio' id='abcd1234-a0'>"
           f"<source xmlns='{NS_SSMA}' ssrc='1111' name='abcd1234-a0'>"
           "<parameter name='msid' value='s1 t1'/></source></media-source>"
           "<media-source type='video' id='abcd1234-v0'>"
           f"<source xmlns='{NS_SSMA}' ssrc='2222' name='abcd1234-v0'/>"
           f"<source xmlns='{NS_SSMA}' ssrc='2223' name='abcd1234-v0'/>"
           f"<ssrc-group xmlns='{NS_SSMA}' semantics='FID'><source ssrc='2222'/>"
           "<source ssrc='2223'/></ssrc-group></media-source></sources>")


def iq(body, typ="set", frm="focus.meet.example.org", to="jvbbrewery@internal.auth.meet.example.org/jvb1"):
    return f"<iq type='{typ}' id='ab12' from='{frm}' to='{to}'>{body}</iq>"


def cm(inner, attrs=" meeting-id='8a1b-uuid' name='room@conference.meet.example.org'"):
    return f"<conference-modify xmlns='{NS_C2}'{attrs}>{inner}</conference-modify>"


def gen_colibri_modify():
    create_ep = ("<endpoint id='abcd1234' create='true' stats-id='Fred-1' muc-role='participant'>"
                 "<capability name='source-names'/>" + AUDIO + VIDEO +
                 "<transport ice-controlling='true'><sctp/></transport></endpoint>")
    update_ep = ("<endpoint id='abcd1234'>" + AUDIO + "<transport>" +
                 transport(cand() + cand("192.0.2.7", 51000, "srflx", extra=" rel-addr='10.0.0.5' rel-port='10000'", cid="c2"),
                           setup="active", ws=False) +
                 "</transport>" + SOURCES +
                 "<force-mute audio='true' video='false'/><initial-last-n value='-1'/></endpoint>")
    seeds = {
        "create": iq(cm(create_ep, " meeting-id='8a1b-uuid' name='room@conference.meet.example.org' create='true' rtcstats-enabled='true'")),
        "update": iq(cm(update_ep)),
        "bare-element": cm(update_ep),
        "transport-info": iq(cm("<endpoint id='abcd1234'><transport>" +
                                transport(cand("::1", 9, "host", cid="c6"), ufrag=None, fp=None, ws=False) + "</transport></endpoint>")),
        "ice-restart": iq(cm("<endpoint id='abcd1234'><transport ice-controlling='true' ice-restart='true' use-unique-port='1'/></endpoint>")),
        "expire-endpoint": iq(cm("<endpoint id='abcd1234' expire='true'/>")),
        "expire-conference": iq(cm("", " meeting-id='8a1b-uuid' expire='true'")),
        "two-endpoints": iq(cm("<endpoint id='e1' create='true'><capability name='source-names'/>"
                               "<capability name='ssrc-rewriting'/></endpoint>"
                               "<endpoint id='e2' expire='false'><sources/></endpoint>")),
        "relay": iq(cm("<relay id='r1' mesh-id='0' create='true'/><endpoint id='e1'/>")),
        "get-type": iq(cm("<endpoint id='e1'><initial-last-n value='5'/></endpoint>"), typ="get"),
        "unknown-children": iq(cm("<endpoint id='e1'><media type='video'><ssrc xmlns='x'/>"
                                  "<payload-type id='1'/></media><foo/></endpoint><bar xmlns='y'/>")),
        "synthetic-source": iq(cm("<endpoint id='e1'><sources><media-source type='video' id='e1-v0' synthetic='true'>"
                                  f"<source xmlns='{NS_SSMA}' ssrc='4294967295'/>"
                                  f"<ssrc-group xmlns='{NS_SSMA}' semantics='SIM'><source ssrc='1'/><source ssrc='2'/>"
                                  "<source ssrc='3'/></ssrc-group></media-source></sources></endpoint>")),
        "entities": iq(cm("<endpoint id='a&amp;b' stats-id='x&#10;y&#9;z'><media type='audio'>"
                          f"<payload-type xmlns='{NS_RTP}' id='0' name='&lt;pcmu&gt;'>"
                          "<parameter name='a' value='&quot;&apos;'/></payload-type></media></endpoint>")),
        "unicode": iq(cm("<endpoint id='\u00e9\u00e9\u00e9' stats-id='\u65e5\u672c'/>",
                         " meeting-id='\u00fcber' name='r\u00e4um@conference.x'")),
    }
    for name, text in seeds.items():
        write("colibri-modify", name, text)

    ep = lambda inner, attrs=" id='e'": iq(cm(f"<endpoint{attrs}>{inner}</endpoint>"))
    muts = {
        "no-meeting-id": iq(cm("", "")),
        "meeting-id-space": iq(cm("", " meeting-id='a b'")),
        "bool-yes": iq(cm("", " meeting-id='m' create='yes'")),
        "number-utf8": ep(f"<media type='audio'><payload-type xmlns='{NS_RTP}' id='1\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9'/></media>"),
        "endpoint-no-id": ep("", ""),
        "create-and-expire": ep("", " id='e' create='true' expire='true'"),
        "duplicate-endpoint": iq(cm("<endpoint id='e'/><endpoint id='e'/>")),
        "media-type-text": ep("<media type='text'/>"),
        "pt-id-128": ep(f"<media type='audio'><payload-type xmlns='{NS_RTP}' id='128'/></media>"),
        "pt-id-minus": ep(f"<media type='audio'><payload-type xmlns='{NS_RTP}' id='-1'/></media>"),
        "pt-clock-huge": ep(f"<media type='audio'><payload-type xmlns='{NS_RTP}' id='1' clockrate='99999999999999999999'/></media>"),
        "param-no-name": ep(f"<media type='audio'><payload-type xmlns='{NS_RTP}' id='1'><parameter value='1'/></payload-type></media>"),
        "fb-no-type": ep(f"<media type='audio'><payload-type xmlns='{NS_RTP}' id='1'><rtcp-fb xmlns='{NS_FB}'/></payload-type></media>"),
        "hdrext-id-0": ep(f"<media type='audio'>{hdr(0, 'urn:x')}</media>"),
        "hdrext-id-256": ep(f"<media type='audio'>{hdr(256, 'urn:x')}</media>"),
        "hdrext-no-uri": ep(f"<media type='audio'><rtp-hdrext xmlns='{NS_HDR}' id='1'/></media>"),
        "ssrc-0": ep(f"<sources><media-source type='video' id='v'><source xmlns='{NS_SSMA}' ssrc='0'/></media-source></sources>"),
        "ssrc-2-32": ep(f"<sources><media-source type='video' id='v'><source xmlns='{NS_SSMA}' ssrc='4294967296'/></media-source></sources>"),
        "ssrc-missing": ep(f"<sources><media-source type='video' id='v'><source xmlns='{NS_SSMA}'/></media-source></sources>"),
        "source-no-id": ep("<sources><media-source type='video'/></sources>"),
        "group-no-semantics": ep(f"<sources><media-source type='video' id='v'><ssrc-group xmlns='{NS_SSMA}'><source ssrc='1'/></ssrc-group></media-source></sources>"),
        "group-bad-ssrc": ep(f"<sources><media-source type='video' id='v'><ssrc-group xmlns='{NS_SSMA}' semantics='FID'><source ssrc='x'/></ssrc-group></media-source></sources>"),
        "msid-twice": ep(f"<sources><media-source type='audio' id='a'><source xmlns='{NS_SSMA}' ssrc='5'>"
                         "<parameter name='msid' value='a b'/><parameter name='msid' value='c d'/></source></media-source></sources>"),
        "transport-bool": ep("<transport ice-controlling='maybe'/>"),
        "transport-bad-candidate": ep("<transport>" + transport(cand(ip="example.org"), ws=False) + "</transport>"),
        "transport-bad-ufrag": ep("<transport>" + transport(ufrag="a b", ws=False) + "</transport>"),
        "transport-bad-fp": ep("<transport>" + transport(fp="zz:1", ws=False) + "</transport>"),
        "transport-two-ice": ep("<transport>" + transport(cand(), ws=False) + transport(ufrag="Zz9y", ws=False) + "</transport>"),
        "last-n-x": ep("<initial-last-n value='x'/>"),
        "last-n-minus-2": ep("<initial-last-n value='-2'/>"),
        "last-n-plus": ep("<initial-last-n value=' +7'/>"),
        "capability-no-name": ep("<capability/>"),
        "force-mute-bad": ep("<force-mute audio='on'/>"),
        "wrong-ns": iq("<conference-modify xmlns='jitsi:colibri' meeting-id='m'/>"),
        "ping": iq("<ping xmlns='urn:xmpp:ping'/>", typ="get"),
        "endpoint-other-ns": iq(cm("<endpoint xmlns='urn:other' id='x y'/>")),
        "nested-iq": "<iq><iq>" + cm("") + "</iq></iq>",
        "many-sources": ep("<sources><media-source type='video' id='v'>" +
                           "".join(f"<source xmlns='{NS_SSMA}' ssrc='{i}'/>" for i in range(1, 131)) +
                           "</media-source></sources>"),
    }
    for name, text in muts.items():
        write("colibri-modify", "mut-" + name, text)


def gen_colibri_modified():
    bridge_sources = ("<sources><media-source type='audio' id='jvb-a0'>"
                      f"<source xmlns='{NS_SSMA}' ssrc='3920281765' name='jvb-a0'>"
                      "<parameter name='msid' value='mixedmslabel mixedlabelaudio0'/></source></media-source>"
                      "<media-source type='video' id='jvb-v0'>"
                      f"<source xmlns='{NS_SSMA}' ssrc='1048237661' name='jvb-v0'>"
                      "<parameter name='msid' value='mixedmslabel mixedlabelvideo0'/></source></media-source></sources>")
    created = ("<endpoint id='abcd1234'><transport>" +
               transport(cand("127.0.0.1", 10000) + cand("2001:db8::1", 10000, cid="c2", prio=2130706175)) +
               "<sctp port='5000' role='server'/></transport></endpoint>")

    def cmd(inner):
        return iq(f"<conference-modified xmlns='{NS_C2}'>{inner}</conference-modified>", typ="result",
                  frm="jvbbrewery@internal.auth.meet.example.org/jvb1", to="focus.meet.example.org")
    seeds = {
        "create": cmd(created + bridge_sources),
        "restart": cmd("<endpoint id='abcd1234'><transport>" + transport(cand("10.1.2.3", 10000, cid="c9"), ufrag="Nw2a") + "</transport></endpoint>"),
        "empty": cmd(""),
        "bare-element": f"<conference-modified xmlns='{NS_C2}'>{created}</conference-modified>",
        "two-endpoints": cmd(created + created.replace("abcd1234", "ef567890")),
        "sources-only": cmd(bridge_sources),
        "expired": cmd("<endpoint id='abcd1234' expire='true'/>"),
        "tcp-candidate": cmd("<endpoint id='e'><transport>" +
                             transport(cand(port=4443, proto='tcp', extra=" tcptype='passive'")) + "</transport></endpoint>"),
        "relay-candidate": cmd("<endpoint id='e'><transport>" +
                               transport(cand("203.0.113.9", 3478, "relay", extra=" rel-addr='192.0.2.1' rel-port='50000'")) +
                               "</transport></endpoint>"),
    }
    for name, text in seeds.items():
        write("colibri-modified", name, text)
    muts = {
        "endpoint-no-id": cmd("<endpoint><transport/></endpoint>"),
        "bad-source": cmd("<sources><media-source type='audio' id='jvb-a0'>"
                          f"<source xmlns='{NS_SSMA}' ssrc='0'/></media-source></sources>"),
        "bad-websocket": cmd("<endpoint id='e'><transport>" +
                             transport().replace("wss://", "http://") + "</transport></endpoint>"),
        "bad-setup": cmd("<endpoint id='e'><transport>" + transport(setup="both") + "</transport></endpoint>"),
        "port-0": cmd("<endpoint id='e'><transport>" + transport(cand(port=0)) + "</transport></endpoint>"),
        "port-65536": cmd("<endpoint id='e'><transport>" + transport(cand(port=65536)) + "</transport></endpoint>"),
        "wrong-element": iq(cm("")),
        "media-type-utf8": cmd("<sources><media-source type='\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9' id='x'/></sources>"),
    }
    for name, text in muts.items():
        write("colibri-modified", "mut-" + name, text)


def gen_colibri_error():
    def err(inner, typ="cancel"):
        return (f"<iq type='error' id='ab12' from='jvbbrewery@internal.auth.meet.example.org/jvb1'"
                f" to='focus.meet.example.org'><error type='{typ}'>{inner}</error></iq>")

    def cond(c):
        return f"<{c} xmlns='{NS_STANZAS}'/>"
    seeds = {
        "conference-not-found": err(cond("item-not-found") + f"<error xmlns='{NS_C2}' reason='CONFERENCE_NOT_FOUND'/>"),
        "already-exists": err(cond("conflict") + f"<error xmlns='{NS_C2}' reason='CONFERENCE_ALREADY_EXISTS'/>"),
        "unknown-endpoint": err(cond("item-not-found") + f"<text xmlns='{NS_STANZAS}'>no such endpoint</text>"
                                f"<error xmlns='{NS_C2}' reason='UNKNOWN_ENDPOINT'/><endpoint xmlns='{NS_C2}' id='abcd1234'/>"),
        "graceful-shutdown": err(cond("service-unavailable") + f"<error xmlns='{NS_C2}' reason='GRACEFUL_SHUTDOWN'/>"),
        "not-implemented": err(cond("feature-not-implemented") + f"<error xmlns='{NS_C2}' reason='FEATURE_NOT_IMPLEMENTED'/>"),
        "bad-request": err(cond("bad-request") + f"<text xmlns='{NS_STANZAS}'>endpoint e: transport: candidate 1: port 0 out of range</text>", "modify"),
        "forbidden": err(cond("forbidden")),
        "internal": err(cond("internal-server-error"), "wait"),
        "timeout": err(cond("remote-server-timeout"), "wait"),
    }
    for name, text in seeds.items():
        write("colibri-error", name, text)
    muts = {
        "no-error": "<iq type='error' id='x'/>",
        "reason-lowercase": err(cond("item-not-found") + f"<error xmlns='{NS_C2}' reason='unknown_endpoint'/>"),
        "reason-unknown": err(cond("conflict") + f"<error xmlns='{NS_C2}' reason='SOMETHING_ELSE'/>"),
        "reason-missing": err(f"<error xmlns='{NS_C2}'/>"),
        "endpoint-no-id": err(f"<error xmlns='{NS_C2}' reason='UNKNOWN_ENDPOINT'/><endpoint xmlns='{NS_C2}'/>"),
        "endpoint-empty-id": err(f"<error xmlns='{NS_C2}' reason='UNKNOWN_ENDPOINT'/><endpoint xmlns='{NS_C2}' id=''/>"),
        "endpoint-entities": err(f"<error xmlns='{NS_C2}' reason='UNKNOWN_ENDPOINT'/><endpoint xmlns='{NS_C2}' id='&lt;a&#10;b&gt;'/>"),
        "endpoint-wrong-ns": err(f"<error xmlns='{NS_C2}' reason='UNKNOWN_ENDPOINT'/><endpoint id='x'/>"),
        "condition-text-only": err(f"<text xmlns='{NS_STANZAS}'>only text</text>"),
        "two-reasons": err(f"<error xmlns='{NS_C2}' reason='GRACEFUL_SHUTDOWN'/><error xmlns='{NS_C2}' reason='CONFERENCE_NOT_FOUND'/>"),
        "message": "<message type='error'><error><gone xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></message>",
    }
    for name, text in muts.items():
        write("colibri-error", "mut-" + name, text)


def gen_ice_udp():
    seeds = {
        "bridge-offer": transport(cand("127.0.0.1", 10000) + cand("2001:db8::1", 10000, cid="c2")),
        "client-answer": transport(setup="active", ws=False),
        "candidates-only": f"<transport xmlns='{NS_ICE}'>" + cand("192.168.1.20", 56123, cid="c3") + "</transport>",
        "srflx": transport(cand("198.51.100.4", 61000, "srflx", prio=1686052607,
                                extra=" rel-addr='192.168.1.20' rel-port='56123'"), fp=None, ws=False),
        "relay-tcp": transport(cand("203.0.113.9", 443, "relay", proto="TCP", comp=2, prio=16777215,
                                    extra=" rel-addr='0.0.0.0' rel-port='9'"), ws=False),
        "prflx": transport(cand("10.9.8.7", 1, "prflx", prio=0), ws=False),
        "lowercase-fp": transport(fp=" ab:cd:ef:01\n", setup="passive"),
        "no-setup": transport().replace(" setup='actpass'", ""),
        "sha-1": transport(fp="AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01").replace("sha-256", "SHA-1"),
        "empty": f"<transport xmlns='{NS_ICE}'/>",
        "unknown-children": transport("<foo/><candidate xmlns='urn:other'/>", ws=False),
        "two-websockets": transport(f"<web-socket xmlns='{NS_COLIBRI}' url='ws://127.0.0.1:8080/colibri-ws/a'/>"),
    }
    for name, text in seeds.items():
        write("ice-udp", name, text)
    muts = {
        "not-transport": f"<transpor xmlns='{NS_ICE}'/>",
        "wrong-ns": "<transport xmlns='urn:xmpp:jingle:transports:raw-udp:1'/>",
        "ufrag-short": transport(ufrag="abc"),
        "ufrag-bad-char": transport(ufrag="ab-cd"),
        "pwd-short": transport(pwd="short"),
        "missing-port": f"<transport xmlns='{NS_ICE}'>" + cand().replace(" port='10000'", "") + "</transport>",
        "port-0": transport(cand(port=0)),
        "port-65536": transport(cand(port=65536)),
        "port-sign": transport(cand().replace("port='10000'", "port='+1'")),
        "component-3": transport(cand(comp=3)),
        "priority-2-32": transport(cand(prio=4294967296)),
        "ip-hostname": transport(cand(ip="host.example.org")),
        "ip-long": transport(cand(ip="1" * 70)),
        "rel-addr-bad": transport(cand(extra=" rel-addr='x' rel-port='1'")),
        "type-unknown": transport(cand(typ="server")),
        "protocol-sctp": transport(cand(proto="sctp")),
        "foundation-long": transport(cand().replace("foundation='1'", "foundation='" + "f" * 40 + "'")),
        "foundation-space": transport(cand().replace("foundation='1'", "foundation='a b'")),
        "fp-no-hash": transport().replace(" hash='sha-256'", ""),
        "fp-odd": transport(fp="AB:C"),
        "fp-no-colons": transport(fp="ABCDEF"),
        "fp-empty": transport(fp=""),
        "fp-too-long": transport(fp=":".join(["AB"] * 65)),
        "setup-holdconn": transport(setup="holdconn"),
        "setup-utf8": transport(setup="\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9"),
        "websocket-http": transport().replace("wss://", "https://"),
        "websocket-no-url": transport(f"<web-socket xmlns='{NS_COLIBRI}'/>", ws=False),
        "65-candidates": f"<transport xmlns='{NS_ICE}'>" +
                         "".join(f"<candidate component='1' foundation='1' ip='10.0.0.{i}' port='9' priority='1' protocol='udp' type='host'/>"
                                 for i in range(65)) + "</transport>",
    }
    for name, text in muts.items():
        write("ice-udp", "mut-" + name, text)


def gen_conference_iq():
    def req(room="room1@conference.example.org", typ="set", props=None, extra=" machine-uid='2c8d0f7e1a0c4b3f9e12d7a1c5b6e804'"):
        if props is None:
            props = [("rtcstatsEnabled", "false"), ("visitors-version", "1"), ("startAudioMuted", "9")]
        body = "".join(f"<property name='{n}' value='{v}'/>" for n, v in props)
        r = f" room='{room}'" if room is not None else ""
        return (f"<iq to='focus.example.org' type='{typ}' xmlns='jabber:client' id='7c0f:sendIQ'"
                f" from='a1b2@example.org/c3d4'><conference xmlns='{NS_FOCUS}'{r}{extra}>{body}</conference></iq>")
    seeds = {
        "ljm": req(),
        "no-properties": req(props=[]),
        "session-id": req(extra=" machine-uid='m' session-id='4f1e5a' token='eyJhbGciOi.x.y'"),
        "visitor": req(props=[("visitor", "true"), ("visitors-version", "1")]),
        "uppercase-domain": req("Room1@Conference.Example.ORG"),
        "unicode-room": req("r\u00e4um-\u65e5\u672c@conference.example.org"),
        "casefold-room": req("STRASSE-Stra\u00dfe-\ufb01@conference.example.org"),
        "property-entities": req(props=[("a&amp;b", "x&#10;y"), ("dup", "1"), ("dup", "2"), ("novalue", None)]).replace(" value='None'", ""),
        "no-machine-uid": req(extra=""),
    }
    for name, text in seeds.items():
        write("conference-iq", name, text)
    muts = {
        "type-get": req(typ="get"),
        "type-result": req(typ="result"),
        "no-room": req(room=None),
        "empty-room": req(room=""),
        "room-resource": req("room1@conference.example.org/nick"),
        "room-no-local": req("conference.example.org"),
        "wrong-domain": req("room1@muc.other.org"),
        "bad-local": req("ro'om@conference.example.org".replace("'", "&apos;")),
        "room-long": req("r" * 201 + "@conference.example.org"),
        "room-utf8-long": req("\u00e9" * 40 + "@muc.other.org"),
        "not-conference": "<iq type='set' id='1'><conference xmlns='urn:other'/></iq>",
        "33-properties": req(props=[(f"p{i}", "v") for i in range(33)]),
        "property-long": req(props=[("n" * 257, "v"), ("ok", "v" * 257)]),
        "property-empty-name": req(props=[("", "v")]),
    }
    for name, text in muts.items():
        write("conference-iq", "mut-" + name, text)


def gen_muc_presence():
    room = "room1@conference.example.org"

    def pres(nick="abcd1234", inner="", typ=None, frm=None):
        t = f" type='{typ}'" if typ else ""
        f = frm if frm is not None else f"{room}/{nick}"
        return f"<presence from='{f}' to='focus.example.org/focus'{t}>{inner}</presence>"

    def x(inner):
        return f"<x xmlns='{NS_MUC_USER}'>{inner}</x>"
    ljm = ("<c xmlns='http://jabber.org/protocol/caps' hash='sha-1' node='https://jitsi.org/jitsi-meet'"
           " ver='k6kQ1Ya4MDhmz3mBNpkMjSafVwY='/><stats-id>Brenda-Zx3</stats-id>"
           f"<nick xmlns='{NS_NICK}'>Ann \u00c9</nick>"
           "<SourceInfo>{\"abcd1234-a0\":{\"muted\":false},\"abcd1234-v0\":{\"muted\":true}}</SourceInfo>"
           "<jitsi_participant_region>eu-west</jitsi_participant_region>"
           "<jitsi_participant_codecList>av1,vp9,vp8,h264</jitsi_participant_codecList>"
           "<features><feature var='https://jitsi.org/meet/e2ee'/></features>")
    seeds = {
        "ljm-join": pres(inner=ljm + x("<item affiliation='none' role='participant' jid='a1b2@example.org/c3d4'/>")),
        "focus-self": pres("focus", x("<item affiliation='owner' role='moderator' jid='focus.example.org/focus'/>"
                                      "<status code='110'/><status code='201'/><status code='100'/>")),
        "leave": pres(typ="unavailable", inner=x("<item affiliation='none' role='none'/>")),
        "nick-change": pres("old", x("<item affiliation='member' role='participant' nick='new'/><status code='303'/>"), typ="unavailable"),
        "kicked": pres(typ="unavailable", inner=x("<item affiliation='none' role='none'><actor nick='mod'/><reason>bye</reason></item><status code='307'/>")),
        "banned": pres(typ="unavailable", inner=x("<item affiliation='outcast' role='none'/><status code='301'/>")),
        "destroyed": pres("focus", x("<item affiliation='none' role='none'/><destroy jid='other@conference.example.org'><reason>moved</reason></destroy>"), typ="unavailable"),
        "error-not-allowed": pres("focus", f"<error type='cancel'><not-allowed xmlns='{NS_STANZAS}'/>"
                                           f"<text xmlns='{NS_STANZAS}'>room creation is restricted</text></error>", typ="error"),
        "error-bare": pres(typ="error"),
        "no-muc-user": pres(inner="<stats-id>x</stats-id>"),
        "visitor-admin": pres(inner=x("<item affiliation='admin' role='visitor' jid='v@example.org'/><status code='170'/>")),
        "domain-only-room": pres(frm="Conference.Example.ORG/nick"),
        "unicode-nick": pres("\u00c5sa \U0001F600"),
        "nick-with-slash": pres("a/b/c"),
    }
    for name, text in seeds.items():
        write("muc-presence", name, text)
    muts = {
        "no-from": "<presence/>",
        "from-bare-room": pres(frm=room, inner=x("")),
        "from-bad": pres(frm="@@"),
        "from-empty-resource": pres(frm=room + "/"),
        "subscribe": pres(typ="subscribe"),
        "probe": pres(typ="probe"),
        "status-codes": pres(inner=x("".join(f"<status code='{c}'/>" for c in
                                             ["99", "1000", "x", "", "110 ", "0110", "201", "303", "307", "301", "321", "322", "332", "110", "104"]))),
        "two-items": pres(inner=x("<item role='moderator' affiliation='owner'/><item role='visitor' affiliation='outcast'/>")),
        "item-bad-jid": pres(inner=x("<item role='moderator' affiliation='owner' jid='a@b@c'/>")),
        "item-unknown-role": pres(inner=x("<item role='god' affiliation='king' nick=''/>")),
        "two-destroys": pres(inner=x("<destroy><reason>a</reason></destroy><destroy/>")),
        "destroy-empty-reason": pres(inner=x("<destroy><reason/></destroy>")),
        "error-no-condition": pres(typ="error", inner="<error type='cancel'><text xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'>t</text></error>"),
        "x-wrong-ns": pres(inner="<x xmlns='http://jabber.org/protocol/muc'><item role='moderator'/></x>"),
        "nick-wrong-ns": pres(inner="<nick>plain</nick><nick xmlns='http://jabber.org/protocol/nick'>a<b/>c</nick>"),
    }
    for name, text in muts.items():
        write("muc-presence", "mut-" + name, text)


def gen_jid():
    seeds = {
        "room": "room1@conference.example.org",
        "full": "a1b2@example.org/c3d4",
        "domain": "example.org",
        "component": "focus.example.org/focus",
        "occupant": "room1@conference.example.org/abcd1234",
        "uppercase": "Room1@Conference.Example.ORG",
        "unicode-room": "r\u00e4um-\u65e5\u672c@conference.example.org",
        "casefold": "STRASSE-Stra\u00dfe-\ufb01@conference.example.org",
        "ipv4": "user@192.0.2.1/r",
        "resource-slashes": "u@d.org/a/b@c",
        "underscore": "jvbbrewery@internal.auth.meet_x.example.org/jvb-1",
    }
    for name, text in seeds.items():
        write("jid", name, text)
    muts = {
        "empty": "",
        "at-only": "@",
        "empty-local": "@example.org",
        "empty-resource": "u@example.org/",
        "double-at": "a@b@c.org",
        "space": "a b@c.org",
        "quote": "a\"b@c.org",
        "domain-dash": "u@-example.org",
        "domain-dot": "u@example.org.",
        "domain-empty-label": "u@example..org",
        "domain-long-label": "u@" + "a" * 64 + ".org",
        "domain-254": "u@" + ".".join(["a" * 50] * 5),
        "local-1024": "l" * 1024 + "@x.org",
        "bad-utf8": b"\xc3(@example.org",
        "control-resource": "u@x.org/a\x01b",
        "room-201": "r" * 201 + "@conference.example.org",
    }
    for name, text in muts.items():
        write("jid", "mut-" + name, text)


NS_JINGLE = "urn:xmpp:jingle:1"
NS_GROUPING = "urn:xmpp:jingle:apps:grouping:0"
NS_JITMEET = "http://jitsi.org/jitmeet"


def jingle(action, inner, sid="5e1f2a3b", extra=""):
    return (f"<iq type='set' id='j1' from='room1@conference.example.org/abcd1234' to='focus.example.org'>"
            f"<jingle xmlns='{NS_JINGLE}' action='{action}' sid='{sid}'{extra}>{inner}</jingle></iq>")


def desc(media, inner):
    return f"<description xmlns='{NS_RTP}' media='{media}'>{inner}</description>"


def ssma(ssrc, name, msid=None, owner=None, extra=""):
    out = f"<source xmlns='{NS_SSMA}' ssrc='{ssrc}' name='{name}'{extra}>"
    if msid:
        out += f"<parameter name='msid' value='{msid}'/>"
    if owner:
        out += f"<ssrc-info xmlns='{NS_JITMEET}' owner='{owner}'/>"
    return out + "</source>"


def sgroup(sem, *ssrcs):
    return (f"<ssrc-group xmlns='{NS_SSMA}' semantics='{sem}'>" +
            "".join(f"<source ssrc='{x}'/>" for x in ssrcs) + "</ssrc-group>")


JSON_MAP = ('{"sources":{"jvb":[[{"s":1048237661,"n":"jvb-v0","m":"mixedmslabel mixedlabelvideo0"}],[],'
            '[{"s":3920281765,"n":"jvb-a0","m":"mixedmslabel mixedlabelaudio0"}]],'
            '"bob01":[[{"s":3001,"n":"bob01-v0","m":"s2 v2"},{"s":3002,"n":"bob01-v0","m":"s2 v2"},'
            '{"s":3005,"n":"bob01-v1","v":"d"}],[["f",3001,3002]],[{"s":3100,"n":"bob01-a0"}],[]]}}')


def gen_jingle():
    bundle = f"<group xmlns='{NS_GROUPING}' semantics='BUNDLE'><content name='audio'/><content name='video'/></group>"
    t_client = transport(setup="active", ws=False)
    accept = ("<content creator='responder' name='audio' senders='both'>" +
              desc("audio", opus() + ssma(1111, "abcd1234-a0", "s1 a1") + "<rtcp-mux/>" +
                   hdr(1, "urn:ietf:params:rtp-hdrext:ssrc-audio-level")) + t_client + "</content>"
              "<content creator='responder' name='video' senders='both'>"
              f"<initial-last-n xmlns='{NS_C2}' value='-1'/>" +
              desc("video", vp8() + ssma(2221, "abcd1234-v0", "s1 v1", extra=" videoType='camera'") +
                   ssma(2222, "abcd1234-v0", "s1 v1") + sgroup("FID", 2221, 2222)) + t_client + "</content>")
    offer = ("<content creator='initiator' name='audio' senders='both'>" +
             desc("audio", opus() + hdr(10, "urn:ietf:params:rtp-hdrext:sdes:mid") + f"<extmap-allow-mixed xmlns='{NS_HDR}'/><rtcp-mux/>")
             .replace("media='audio'>", "media='audio' maxptime='60'>") +
             transport(cand("127.0.0.1", 10000)) + "</content>"
             "<content creator='initiator' name='video' senders='both'>" + desc("video", vp8() + "<rtcp-mux/>") +
             transport(cand("127.0.0.1", 10000)) + "</content>"
             "<content creator='initiator' name='data' senders='both'>"
             f"<description xmlns='urn:xmpp:jingle:apps:webrtc-datachannel:0' media='application'/>" +
             transport("<sctpmap xmlns='urn:xmpp:jingle:transports:dtls-sctp:1' number='5000' protocol='webrtc-datachannel' streams='1024'/>")
             + "</content>" + bundle +
             f"<bridge-session xmlns='{NS_FOCUS}' id='0f3c4d5e-uuid' region='eu-west'/>"
             "<startmuted xmlns='http://jitsi.org/jitmeet/start-muted' audio='false' video='true'/>"
             f"<json-message xmlns='{NS_JITMEET}'>{JSON_MAP}</json-message>")
    seeds = {
        "session-accept": jingle("session-accept", accept + bundle, extra=" responder='room1@conference.example.org/abcd1234'"),
        "session-initiate": jingle("session-initiate", offer, extra=" initiator='focus@auth.example.org/focus1'"),
        "transport-info": jingle("transport-info", "<content creator='initiator' name='audio'>" +
                                 transport(cand("192.168.1.20", 56123) + cand("198.51.100.4", 61000, "srflx", extra=" rel-addr='192.168.1.20' rel-port='56123'", cid="c2"),
                                           fp=None, ws=False) + "</content>"),
        "source-add-xml": jingle("source-add", "<content name='video'>" + desc("video",
                                 ssma(3001, "bob01-v0", "s2 v2", "room1@conference.example.org/bob01", " videoType='desktop'") +
                                 ssma(3002, "bob01-v0", "s2 v2", "room1@conference.example.org/bob01") +
                                 ssma(3003, "bob01-v0", None, "bob01") + sgroup("SIM", 3001, 3003) + sgroup("FID", 3001, 3002) +
                                 sgroup("FEC-FR", 3001, 3003)) + "</content>"
                                 "<content name='audio'>" + desc("audio", ssma(3100, "bob01-a0", "s2 a2")) + "</content>"),
        "source-remove": jingle("source-remove", "<content name='video'>" + desc("video", ssma(3001, "bob01-v0") + sgroup("FID", 3001, 3002)) + "</content>"),
        "source-add-json": jingle("source-add", f"<json-message xmlns='{NS_JITMEET}'>{JSON_MAP}</json-message>"),
        "addsource-legacy": jingle("addsource", "<content name='audio'>" + desc("audio", ssma(77, "x-a0")) + "</content>"),
        "sources-in-content": jingle("source-add", "<content name='video'>" + ssma(5, "c-v0") + sgroup("FID", 5, 6) + "</content>"),
        "rid-source": jingle("source-add", "<content name='video'>" + desc("video", f"<source xmlns='{NS_SSMA}' rid='h'/>" + ssma(9, "r-v0")) + "</content>"),
        "terminate-restart": jingle("session-terminate", "<reason><success/><text>restart</text></reason>"
                                    f"<bridge-session xmlns='{NS_FOCUS}' id='0f3c' restart='true'/>"),
        "terminate-moving": jingle("session-terminate", f"<reason xmlns='{NS_JINGLE}'><success/><text>moving</text></reason>"),
        "session-info-failed": jingle("session-info", f"<ice-state xmlns='{NS_FOCUS}'> failed </ice-state><bridge-session xmlns='{NS_FOCUS}' id='bs1' ice-restart='true'/>"),
        "transport-info-restart": jingle("transport-info", "<content name='audio'>" + transport(cand(), ufrag="Rst2", setup="active", ws=False)
                                         .replace("><rtcp-mux/>", " ice-generation='1'><rtcp-mux/>") + "</content>"),
        "unknown-action": jingle("content-frobnicate", "<content name='x'/>"),
        "bare-element": f"<jingle xmlns='{NS_JINGLE}' action='session-accept' sid='s'>{accept}</jingle>",
        "description-no-media": jingle("session-accept", "<content name='audio'>" + f"<description xmlns='{NS_RTP}'>" + opus() + "</description></content>"),
        "red-fmtp": jingle("session-accept", "<content name='audio'>" + desc("audio",
                           f"<payload-type id='112' name='red' clockrate='48000' channels='2'><parameter value='111/111'/></payload-type>" + opus()) + "</content>"),
        "other-group-type": jingle("session-accept", f"<group xmlns='{NS_GROUPING}' type='BUNDLE'><content name='audio'/></group><group xmlns='{NS_GROUPING}' semantics='LS'/>"),
    }
    for name, text in seeds.items():
        write("jingle", name, text)
    c = lambda inner, media="video": "<content name='" + media + "'>" + desc(media, inner) + "</content>"
    muts = {
        "no-sid": jingle("session-accept", "", sid="").replace(" sid=''", ""),
        "empty-sid": jingle("session-accept", "", sid=""),
        "no-action": f"<jingle xmlns='{NS_JINGLE}' sid='x'/>",
        "not-jingle": "<iq type='set'><query xmlns='jabber:iq:version'/></iq>",
        "wrong-ns": "<jingle xmlns='urn:xmpp:jingle:0' action='session-accept' sid='x'/>",
        "ssrc-0": jingle("source-add", c(ssma(0, "x"))),
        "ssrc-2-32": jingle("source-add", c(ssma(4294967296, "x"))),
        "ssrc-minus": jingle("source-add", c(ssma(-5, "x"))),
        "group-no-semantics": jingle("source-add", c(f"<ssrc-group xmlns='{NS_SSMA}'><source ssrc='1'/></ssrc-group>")),
        "group-17": jingle("source-add", c(sgroup("SIM", *range(1, 18)))),
        "group-bad-ssrc": jingle("source-add", c(sgroup("FID", 1, "x"))),
        "name-control": jingle("source-add", c(ssma(1, "a&#9;b"))),
        "pt-id-128": jingle("session-accept", c(f"<payload-type id='128' name='x'/>")),
        "hdrext-no-uri": jingle("session-accept", c(f"<rtp-hdrext xmlns='{NS_HDR}' id='3'/>")),
        "maxptime-big": jingle("session-accept", c(opus(), "audio").replace("media='audio'", "media='audio' maxptime='100001'")),
        "bad-transport": jingle("transport-info", "<content name='audio'>" + transport(cand(port=0), ws=False) + "</content>"),
        "last-n-bad": jingle("session-accept", f"<content name='video'><initial-last-n xmlns='{NS_C2}' value='10001'/></content>"),
        "bundle-bad-name": jingle("session-accept", f"<group xmlns='{NS_GROUPING}' semantics='BUNDLE'><content/></group>"),
        "bridge-session-bool": jingle("session-terminate", f"<bridge-session xmlns='{NS_FOCUS}' id='x' restart='yes'/>"),
        "ice-state-long": jingle("session-info", f"<ice-state xmlns='{NS_FOCUS}'>{'f' * 65}</ice-state>"),
        "reason-text-long": jingle("session-terminate", "<reason><gone/><text>" + "t" * 1025 + "</text></reason>"),
        "startmuted-bad": jingle("session-initiate", "<startmuted xmlns='http://jitsi.org/jitmeet/start-muted' audio='2'/>"),
        "json-not-json": jingle("source-add", f"<json-message xmlns='{NS_JITMEET}'>{{\"sources\":[</json-message>"),
        "json-negative-ssrc": jingle("source-add", f"<json-message xmlns='{NS_JITMEET}'>{{\"sources\":{{\"a\":[[{{\"s\":-4}}]]}}}}</json-message>"),
        "json-bad-group": jingle("source-add", f"<json-message xmlns='{NS_JITMEET}'>{{\"sources\":{{\"a\":[[],[[\"q\",1]]]}}}}</json-message>"),
        "json-empty": jingle("source-add", f"<json-message xmlns='{NS_JITMEET}'/>"),
        "17-contents": jingle("session-accept", "".join(f"<content name='c{i}'/>" for i in range(17))),
        "content-name-long": jingle("session-accept", "<content name='" + "n" * 65 + "'/>"),
    }
    for name, text in muts.items():
        write("jingle", "mut-" + name, text)


def gen_jingle_json():
    seeds = {
        "jicofo-offer": JSON_MAP,
        "empty-map": '{"sources":{}}',
        "no-sources": '{"other":1}',
        "audio-groups": '{"sources":{"a1":[[],[],[{"s":1,"n":"a1-a0"},{"s":2}],[["f",1,2]]]}}',
        "jid-owner": '{"sources":{"room1@conference.example.org/bob01":[[{"s":7,"n":"bob01-v0","m":"s v"}],[["s",7,8,9]]]}}',
        "sim-3": '{"sources":{"e":[[{"s":10},{"s":11},{"s":12},{"s":20},{"s":21},{"s":22}],[["s",10,11,12],["f",10,20],["f",11,21],["f",12,22]]]}}',
        "unicode": '{"sources":{"\\u00e9\\u65e5":[[{"s":4294967295,"n":"\\u00e9-v0","m":"\\ud83d\\ude00 x"}]]}}',
        "short-lists": '{"sources":{"x":[[{"s":1}]],"y":[]}}',
    }
    for name, text in seeds.items():
        write("jingle-json", name, text)
    muts = {
        "not-json": '{"sources":[',
        "array": '[1,2]',
        "sources-array": '{"sources":[]}',
        "ssrc-0": '{"sources":{"a":[[{"s":0}]]}}',
        "ssrc-2-32": '{"sources":{"a":[[{"s":4294967296}]]}}',
        "ssrc-real": '{"sources":{"a":[[{"s":1.0}]]}}',
        "ssrc-string": '{"sources":{"a":[[{"s":"1"}]]}}',
        "name-number": '{"sources":{"a":[[{"s":1,"n":5}]]}}',
        "name-control": '{"sources":{"a":[[{"s":1,"n":"a\\tb"}]]}}',
        "name-nul": '{"sources":{"a":[[{"s":1,"n":"a\\u0000b"}]]}}',
        "name-257": '{"sources":{"a":[[{"s":1,"n":"' + "n" * 257 + '"}]]}}',
        "owner-empty": '{"sources":{"":[[{"s":1}]]}}',
        "owner-slash": '{"sources":{"a/":[[{"s":1}]],"/b":[[{"s":2}]]}}',
        "five-lists": '{"sources":{"a":[[],[],[],[],[]]}}',
        "group-unknown": '{"sources":{"a":[[],[["x",1,2]]]}}',
        "group-empty": '{"sources":{"a":[[],[["f"]]]}}',
        "group-17": '{"sources":{"a":[[],[["s",' + ",".join(str(i) for i in range(1, 18)) + ']]]}}',
        "group-not-array": '{"sources":{"a":[[],["f"]]}}',
        "duplicate-key": '{"sources":{"a":[],"a":[]}}',
        "sources-not-list": '{"sources":{"a":[{"s":1}]}}',
        "deep": '{"sources":{"a":' + "[" * 300 + "]" * 300 + '}}',
        "bad-utf8": b'{"sources":{"\xc3(":[]}}',
        "error-text-cut": '{"sources":{"a":[[{"s":1,"n":"' + "\u00e9" * 100,
    }
    for name, text in muts.items():
        write("jingle-json", "mut-" + name, text)


def gen_channel_msg():
    seeds = {
        "client-hello": '{"colibriClass":"ClientHello"}',
        "endpoint-message": '{"colibriClass":"EndpointMessage","to":"bob01","msgPayload":{"type":"e2e-ping","id":3}}',
        "endpoint-message-broadcast": '{"colibriClass":"EndpointMessage","to":"","msgPayload":{"name":"raise-hand","raisedHandTimestamp":1700000000000}}',
        "endpoint-message-null-to": '{"colibriClass":"EndpointMessage","to":null,"msgPayload":"x","from":"spoofed"}',
        "endpoint-stats": '{"colibriClass":"EndpointStats","bitrate":{"upload":512,"download":1024},"jvbRTT":23,"connectionQuality":100}',
        "video-constraints": '{"colibriClass":"ReceiverVideoConstraints","lastN":20,"selectedSources":["bob01-v0"],'
                             '"onStageSources":["bob01-v0"],"defaultConstraints":{"maxHeight":180},'
                             '"constraints":{"bob01-v0":{"maxHeight":720,"maxFrameRate":30.0},"carl02-v0":{"maxHeight":-1}},'
                             '"assumedBandwidthBps":2500000}',
        "video-constraints-empty": '{"colibriClass":"ReceiverVideoConstraints"}',
        "last-n": '{"colibriClass":"LastNChangedEvent","lastN":-1}',
        "last-n-real": '{"colibriClass":"LastNChangedEvent","lastN":5.0}',
        "video-type": '{"colibriClass":"SourceVideoTypeMessage","sourceName":"abcd1234-v0","videoType":"desktop"}',
        "video-type-upper": '{"colibriClass":"SourceVideoTypeMessage","sourceName":"abcd1234-v1","videoType":"DESKTOP_HIGH_FPS"}',
        "audio-mode": '{"colibriClass":"ReceiverAudioSubscription","mode":"Include","list":["bob01-a0"]}',
        "audio-all": '{"colibriClass":"ReceiverAudioSubscription","all":true,"exclude":["x-a0"]}',
        "audio-include": '{"colibriClass":"ReceiverAudioSubscription","all":false,"include":[]}',
        "audio-custom": '{"colibriClass":"ReceiverAudioSubscription","mode":"Custom","include":["a-a0","b-a0"],"exclude":["b-a0"]}',
        "audio-custom-exclude": '{"colibriClass":"ReceiverAudioSubscription","mode":"Custom","exclude":["x-a0"]}',
        "video-constraints-selected": '{"colibriClass":"ReceiverVideoConstraints","selectedSources":["a-v0","b\\"q-v0","\\u00e9-v1"],'
                                      '"onStageSources":[],"lastN":2}',
        "unknown-class": '{"colibriClass":"ServerHello","version":"1"}',
        "unicode": '{"colibriClass":"EndpointMessage","to":"\\u00e9\\u65e5","msgPayload":{"t":"\\ud83d\\ude00"}}',
    }
    for name, text in seeds.items():
        write("channel-msg", name, text)
    muts = {
        "empty": "",
        "not-json": "{",
        "trailing": '{"colibriClass":"ClientHello"} trailing',
        "duplicate": '{"colibriClass":"A","colibriClass":"B"}',
        "nul-escape": '{"a":"\\u0000"}',
        "array": "[1,2]",
        "scalar": "42",
        "no-class": "{}",
        "class-number": '{"colibriClass":5}',
        "bad-utf8": b'{"colibriClass":"ClientHello","x":"\xff"}',
        "embedded-nul": b'{"colibriClass":"ClientHello"}\x00{}',
        "to-number": '{"colibriClass":"EndpointMessage","to":5,"msgPayload":{}}',
        "no-payload": '{"colibriClass":"EndpointMessage","to":"x"}',
        "last-n-big": '{"colibriClass":"LastNChangedEvent","lastN":100001}',
        "last-n-frac": '{"colibriClass":"LastNChangedEvent","lastN":1.5}',
        "last-n-huge-real": '{"colibriClass":"LastNChangedEvent","lastN":1e300}',
        "height-string": '{"colibriClass":"ReceiverVideoConstraints","defaultConstraints":{"maxHeight":"720"}}',
        "frame-rate-big": '{"colibriClass":"ReceiverVideoConstraints","constraints":{"a":{"maxHeight":1,"maxFrameRate":1001}}}',
        "selected-not-strings": '{"colibriClass":"ReceiverVideoConstraints","selectedSources":[1]}',
        "bandwidth-neg": '{"colibriClass":"ReceiverVideoConstraints","assumedBandwidthBps":-2}',
        "video-type-bad": '{"colibriClass":"SourceVideoTypeMessage","sourceName":"a","videoType":"screen"}',
        "video-type-no-name": '{"colibriClass":"SourceVideoTypeMessage","sourceName":"","videoType":"camera"}',
        "audio-bad-mode": '{"colibriClass":"ReceiverAudioSubscription","mode":"Some"}',
        "audio-nothing": '{"colibriClass":"ReceiverAudioSubscription"}',
        "audio-all-string": '{"colibriClass":"ReceiverAudioSubscription","all":"yes"}',
        "deep": "[" * 2049 + "]" * 2049,  # one level over jansson's nesting limit
        "unknown-class-long": '{"colibriClass":"' + "\u00e9" * 40 + '"}',
    }
    for name, text in muts.items():
        write("channel-msg", "mut-" + name, text)


NS_LOBBY = "urn:parley:lobby:0"


def gen_security_iq():
    def req(el, typ="set", frm="a1b2@example.org/c3d4"):
        f = f" from='{frm}'" if frm is not None else ""
        return f"<iq type='{typ}' id='s1' to='focus.example.org'{f}>{el}</iq>"

    def lob(name, attrs):
        return f"<{name} xmlns='{NS_LOBBY}' room='room1@conference.example.org'{attrs}/>"
    form = ("<iq type='result' id='c1' from='room1@conference.example.org' to='focus.example.org/focus'>"
            "<query xmlns='http://jabber.org/protocol/muc#owner'><x xmlns='jabber:x:data' type='form'>"
            "<field var='FORM_TYPE' type='hidden'><value>http://jabber.org/protocol/muc#roomconfig</value></field>"
            "<field var='muc#roomconfig_membersonly' type='boolean'><value>1</value></field>"
            "<field var='muc#roomconfig_roomsecret' type='text-private'><value>s3cret pass</value></field>"
            "</x></query></iq>")
    seeds = {
        "lobby-on": req(lob("lobby", " enabled='true'")),
        "lobby-off": req(lob("lobby", " enabled='0'")),
        "lobby-get": req(lob("lobby", ""), typ="get"),
        "password": req(lob("password", " value='hunter2 \u00e9'")),
        "password-remove": req(lob("password", " value=''")),
        "knock": req(lob("knock", " nick='  Ann \u00c9 ' password='pw'")),
        "cancel": req(lob("cancel", " knock='k-1f2e'")),
        "admit": req(lob("admit", " knock='k-1f2e'")),
        "refuse": req(lob("refuse", " knock='k-1f2e' reason='not today'")),
        "owner-form-prosody": form,
        "owner-form-ejabberd": form.replace("</x>", "<field var='muc#roomconfig_passwordprotectedroom' type='boolean'><value>0</value></field></x>"),
    }
    for name, text in seeds.items():
        write("security-iq", name, text)
    muts = {
        "not-ours": req("<lobby xmlns='urn:other' room='r@conference.example.org'/>"),
        "unknown-element": req(lob("open-sesame", "")),
        "lobby-get-as-set": req(lob("lobby", "")),
        "knock-as-get": req(lob("knock", " nick='a'"), typ="get"),
        "no-from": req(lob("cancel", " knock='k'"), frm=None),
        "bare-from": req(lob("cancel", " knock='k'"), frm="a1b2@example.org"),
        "no-room": req(f"<admit xmlns='{NS_LOBBY}' knock='k'/>"),
        "wrong-domain": req(lob("admit", " knock='k'").replace("conference.example.org", "muc.other.org")),
        "room-resource": req(lob("admit", " knock='k'").replace("example.org'", "example.org/x'")),
        "enabled-yes": req(lob("lobby", " enabled='yes'")),
        "password-missing": req(lob("password", "")),
        "password-long": req(lob("password", " value='" + "p" * 257 + "'")),
        "password-control": req(lob("password", " value='a&#9;b'")),
        "nick-blank": req(lob("knock", " nick='   '")),
        "nick-65": req(lob("knock", " nick='" + "\u00e9" * 65 + "'")),
        "knock-id-long": req(lob("cancel", " knock='" + "k" * 65 + "'")),
        "knock-id-missing": req(lob("admit", "")),
        "reason-long": req(lob("refuse", " knock='k' reason='" + "r" * 513 + "'")),
        "form-no-x": "<iq type='result'><query xmlns='http://jabber.org/protocol/muc#owner'/></iq>",
        "form-empty-secret": "<iq type='result'><query xmlns='http://jabber.org/protocol/muc#owner'><x xmlns='jabber:x:data'>"
                             "<field var='muc#roomconfig_roomsecret'/><field var='muc#roomconfig_membersonly'><value>maybe</value></field></x></query></iq>",
    }
    for name, text in muts.items():
        write("security-iq", "mut-" + name, text)


JM = "http://jitsi.org/jitmeet"
NS_END = "urn:parley:end-conference:0"


def gen_moderation_iq():
    room = "room1@conference.example.org"

    def mute(media="audio", jid=room + "/bob02", text="true", typ="set", frm=room + "/alice01"):
        f = f" from='{frm}'" if frm is not None else ""
        j = f" jid='{jid}'" if jid is not None else ""
        return (f"<iq type='{typ}' id='m1' to='focus.example.org/focus'{f}>"
                f"<mute xmlns='{JM}/{media}'{j}>{text}</mute></iq>")

    def end(rm=room, typ="set", frm="a1b2@example.org/c3d4"):
        f = f" from='{frm}'" if frm is not None else ""
        r = f" room='{rm}'" if rm is not None else ""
        return f"<iq type='{typ}' id='e1' to='focus.example.org'{f}><end-conference xmlns='{NS_END}'{r}/></iq>"
    seeds = {
        "mute-audio": mute(),
        "mute-video": mute("video"),
        "mute-desktop": mute("desktop"),
        "unmute": mute(text="false"),
        "mute-self": mute(jid=room + "/alice01"),
        "mute-spaces": mute(text="\n  1 "),
        "mute-unicode": mute(jid="z%c3%bcrich@conference.example.org/\u00e9l\u00e8ve",
                             frm="Z%C3%BCrich@conference.example.org/ann"),
        "mute-tenant": mute(jid="[acme]standup@conference.example.org/bob",
                            frm="[acme]standup@conference.example.org/ann"),
        "end": end(),
        "end-tenant": end("[acme]standup@conference.example.org"),
        "end-unicode": end("Caf\u00e9 \u4f1a\u8b70@conference.example.org"),
    }
    for name, text in seeds.items():
        write("moderation-iq", name, text)
    muts = {
        "mute-no-jid": mute(jid=None),
        "mute-empty-jid": mute(jid=""),
        "mute-bad-jid": mute(jid="a@@b/c"),
        "mute-yes": mute(text="yes"),
        "mute-no-text": mute(text=""),
        "mute-get": mute(typ="get"),
        "mute-no-from": mute(frm=None),
        "mute-from-real-jid": mute(frm="alice@example.org/web"),
        "mute-from-bare-room": mute(frm=room),
        "mute-other-muc": mute(frm="room1@muc.other.org/alice", jid="room1@muc.other.org/bob"),
        "mute-target-other-room": mute(jid="room2@conference.example.org/bob02"),
        "mute-target-bare": mute(jid=room),
        "mute-other-ns": mute().replace(JM + "/audio", JM + "/smell"),
        "mute-unmute-element": mute().replace("<mute ", "<unmute ").replace("</mute>", "</unmute>"),
        "end-no-room": end(None),
        "end-empty-room": end(""),
        "end-room-resource": end(room + "/x"),
        "end-wrong-domain": end("room1@muc.other.org"),
        "end-no-local": end("conference.example.org"),
        "end-long-room": end("r" * 201 + "@conference.example.org"),
        "end-get": end(typ="get"),
        "end-bare-from": end(frm="a1b2@example.org"),
        "end-no-from": end(frm=None),
        "end-utf8-room": end("\u00e9" * 120 + "\u0001@conference.example.org"),
    }
    for name, text in muts.items():
        write("moderation-iq", "mut-" + name, text)


def gen_bridge_stats():
    def pres(stats):
        body = "".join(f"<stat name='{n}' value='{v}'/>" for n, v in stats)
        return (f"<presence from='jvbbrewery@internal.auth.example.org/jvb1' to='focus@auth.example.org/f'>"
                f"<stats xmlns='{NS_COLIBRI}'>{body}</stats></presence>")
    jvb = [("stress_level", "0.031"), ("average_participant_stress", "0.005"), ("conferences", "3"),
           ("participants", "11"), ("region", "eu-west"), ("version", "2.3.61-g0ae0e8a0"),
           ("relay_id", "10.0.0.5"), ("healthy", "true"), ("graceful_shutdown", "false"),
           ("shutting_down", "false"), ("drain", "false")]
    disco = ("<iq type='result' id='d1' from='room1@conference.example.org/abcd1234'>"
             "<query xmlns='http://jabber.org/protocol/disco#info'>"
             "<feature var='urn:xmpp:jingle:apps:rtp:audio'/><feature var='urn:xmpp:jingle:apps:rtp:video'/>"
             "<feature var='urn:ietf:rfc:4588'/><feature var='http://jitsi.org/tcc'/>"
             "<feature var='http://jitsi.org/source-name'/><feature var='http://jitsi.org/json-encoded-sources'/>"
             "</query></iq>")
    seeds = {
        "jvb": pres(jvb),
        "parley": pres([("stress_level", "0"), ("conferences", "0"), ("participants", "0"), ("region", "default"), ("healthy", "1")]),
        "graceful": pres([("stress_level", "0.9"), ("graceful_shutdown", "TRUE"), ("drain", "1")]),
        "no-stats": "<presence from='jvbbrewery@internal.auth.example.org/jvb2'/>",
        "disco-client": disco,
        "disco-no-media": disco.replace("urn:xmpp:jingle:apps:rtp:audio", "x").replace("urn:xmpp:jingle:apps:rtp:video", "y"),
    }
    for name, text in seeds.items():
        write("bridge-stats", name, text)
    muts = {
        "stress-negative": pres([("stress_level", "-1")]),
        "stress-nan": pres([("stress_level", "nan"), ("conferences", "inf")]),
        "stress-huge": pres([("stress_level", "1e309"), ("participants", "4294967296")]),
        "stress-junk": pres([("stress_level", "0.5x"), ("conferences", "")]),
        "counts-fraction": pres([("conferences", "2.75"), ("participants", "1e3")]),
        "region-long": pres([("region", "r" * 129), ("version", "")]),
        "region-control": pres([("region", "eu&#9;west"), ("relay_id", "a&#10;b")]),
        "healthy-no": pres([("healthy", "no")]),
        "stat-no-value": "<presence><stats xmlns='" + NS_COLIBRI + "'><stat name='stress_level'/><stat value='1'/></stats></presence>",
    }
    for name, text in muts.items():
        write("bridge-stats", "mut-" + name, text)


# Reproducers of bugs found in parsers this folder does not own, reported and not fixed yet.
# They are not in corpus/ (the replay would fail); `gen-xmpp-corpus.py --known-bugs DIR` writes
# them to DIR/<target>/ for the owner to replay (build/tests/fuzz/fuzz-replay-<target>
# DIR/<target>). Once a bug is fixed, move its entry into the corpus above.
KNOWN_BUGS = {
    # common/xmpp/attr.c pa_attr_bool ("%.16s"), pa_attr_uint ("%.24s") and
    # common/colibri/colibri-xml.c parse_media_type ("%.16s"): the reason quotes the value
    # cut to a byte count, which can split a UTF-8 sequence; the bridge sends the reason as
    # the <text> of its bad-request reply, which is then not well-formed XML (Prosody closes
    # the sender's stream). Jingle passes its reasons through pa_jingle_safe_text, Colibri2
    # does not.
    ("colibri-modify", "utf8-cut-bool"): iq(cm("", " meeting-id='m' create='a" + "\u00e9" * 8 + "'")),
    ("colibri-modify", "utf8-cut-media-type"): iq(cm("<endpoint id='e'><media type='a" + "\u00e9" * 8 + "'/></endpoint>")),
    # common/xmpp/ice-udp.c pa_ice_udp_parse_candidate NUM_FIELD ("%.32s") and the
    # fingerprint setup ("%.16s") likewise.
    ("ice-udp", "utf8-cut-port"): transport(cand().replace("port='10000'", "port='1" + "\u00e9" * 16 + "'")),
    # common/xmpp/ice-udp.c: pa_ice_udp_parse_candidate keeps a rel-port given without
    # rel-addr, pa_ice_udp_add_candidate leaves it out: parse(build(parse(x))) != parse(x).
    ("ice-udp", "rel-port-without-rel-addr"): transport(cand(extra=" rel-port='9'")),
    # common/jingle: a <json-message> source name may hold DEL (jingle-json.c json_text ->
    # jingle.c pa_jingle_text_ok), an XML one may not (common/xmpp/attr.c pa_attr_text_ok):
    # the XML form of such a source, as pa_jingle_build writes it, is refused by
    # pa_jingle_parse.
    ("jingle", "json-name-del"): "<jingle xmlns='urn:xmpp:jingle:1' action='source-add' sid='x'>"
        "<json-message xmlns='http://jitsi.org/jitmeet'>{\"sources\":{\"a\":[[{\"s\":5,\"n\":\"x\\u007f\"}]]}}</json-message></jingle>",
    # common/jingle/jingle-xml.c parse_content: a <description> without media takes the
    # content's name (64 bytes at most) as media; pa_jingle_build writes it as media=, which
    # pa_jingle_parse refuses over 32 bytes.
    ("jingle", "long-media-from-name"): "<jingle xmlns='urn:xmpp:jingle:1' action='session-accept' sid='x'>"
        "<content name='" + "m" * 40 + "'><description xmlns='urn:xmpp:jingle:apps:rtp:1'/></content></jingle>",
    # common/jingle: an owner (JSON key, or ssrc-info owner) is reduced to what follows its
    # first '/' (jingle-json.c pa_jingle_sources_from_json, jingle-xml.c owner_endpoint), and
    # the result may still hold a '/': read again it loses one more part. An endpoint id (a
    # MUC nick) with a '/' is mangled the same way by whoever reads what the focus sends.
    ("jingle-json", "owner-with-slash"): '{"sources":{"room1@c/a/b":[[{"s":5,"n":"a-v0"}]]}}',
    ("jingle", "owner-with-slash"): "<jingle xmlns='urn:xmpp:jingle:1' action='source-add' sid='x'><content name='audio'>"
        "<description xmlns='urn:xmpp:jingle:apps:rtp:1' media='audio'><source xmlns='urn:xmpp:jingle:apps:rtp:ssma:0' ssrc='5'>"
        "<ssrc-info xmlns='http://jitsi.org/jitmeet' owner='room1@c/a/b'/></source></description></content></jingle>",
}


# Reproducers of bugs found by fuzzing and fixed since: kept as regression seeds.
FIXED_BUGS = {
    # focus/rooms/room-request.c: "invalid room '%.64s'" cut a UTF-8 sequence in the error sent to
    # the client (fixed in cbf510c).
    ("conference-iq", "fixed-utf8-cut-room"): "<iq type='set' id='1'><conference xmlns='" + NS_FOCUS +
        "' room='a" + "\u00e9" * 40 + "@conference.example.org/r'/></iq>",
    # focus/xmpp/muc.c focus_muc_room_key: NFKC turned U+FF20 into '@' (fixed in cbf510c).
    ("conference-iq", "fixed-room-key-fullwidth-at"): "<iq type='set' id='1'><conference xmlns='" +
        NS_FOCUS + "' room='a\uff20b@conference.example.org'/></iq>",
    ("jid", "fixed-room-key-fullwidth-at"): "a\uff20b@conference.example.org",
    ("jid", "fixed-room-key-fullwidth-solidus"): "a\uff0fb@conference.example.org",
    ("jid", "fixed-room-key-nfkc-spaces"): "\ufdfa@conference.example.org",
    # common/jingle/jingle-xml.c: reasons quoting "%.24s"/"%.16s" cut UTF-8 (fixed in cbf510c).
    ("jingle", "fixed-utf8-cut-ssrc"): "<iq type='set' id='j'><jingle xmlns='urn:xmpp:jingle:1' action='source-add' sid='x'>"
        "<content name='audio'><description xmlns='urn:xmpp:jingle:apps:rtp:1' media='audio'>"
        "<source xmlns='urn:xmpp:jingle:apps:rtp:ssma:0' ssrc='1" + "\u00e9" * 12 + "'/></description></content></jingle></iq>",
    ("jingle", "fixed-utf8-cut-bool"): "<iq type='set' id='j'><jingle xmlns='urn:xmpp:jingle:1' action='session-terminate' sid='x'>"
        "<bridge-session xmlns='http://jitsi.org/protocol/focus' restart='a" + "\u00e9" * 8 + "'/></jingle></iq>",
    # common/jingle/jingle-json.c: an ssrc-group without SSRCs was written as ["f"], which the
    # JSON parser refuses (fixed in cbf510c).
    ("jingle", "fixed-json-form-empty-group"): "<jingle xmlns='urn:xmpp:jingle:1' action='source-add' sid='x'>"
        "<content name='video'><description xmlns='urn:xmpp:jingle:apps:rtp:1' media='video'>"
        "<ssrc-group xmlns='urn:xmpp:jingle:apps:rtp:ssma:0' semantics='FID'/></description></content></jingle>",
    # focus/security/security-iq.c focus_security_parse: the same cut in "invalid room '%.64s'",
    # "unknown request <%.32s/>" and "of type %.16s" (fixed in 3364e1e).
    ("security-iq", "fixed-utf8-cut-room"): "<iq type='set' id='s' from='a@example.org/b'><admit xmlns='urn:parley:lobby:0' knock='k' room='a" +
        "\u00e9" * 40 + "@conference.example.org/r'/></iq>",
    ("security-iq", "fixed-utf8-cut-element"): "<iq type='set' id='s' from='a@example.org/b'><a" + "\u00e9" * 20 +
        " xmlns='urn:parley:lobby:0'/></iq>",
    ("security-iq", "fixed-utf8-cut-type"): "<iq type='a" + "\u00e9" * 10 + "' id='s' from='a@example.org/b'><knock xmlns='urn:parley:lobby:0' room='r@conference.example.org' nick='n'/></iq>",
}


def gen_fixed_bugs():
    for (target, name), text in FIXED_BUGS.items():
        write(target, name, text)


def gen_known_bugs(out):
    for (target, name), text in KNOWN_BUGS.items():
        d = os.path.join(out, target)
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, name), "wb") as f:
            f.write(text.encode("utf-8"))


if __name__ == "__main__":
    import sys
    if len(sys.argv) == 3 and sys.argv[1] == "--known-bugs":
        gen_known_bugs(sys.argv[2])
        sys.exit(0)
    gen_colibri_modify()
    gen_colibri_modified()
    gen_colibri_error()
    gen_ice_udp()
    gen_conference_iq()
    gen_muc_presence()
    gen_jid()
    gen_jingle()
    gen_jingle_json()
    gen_channel_msg()
    gen_security_iq()
    gen_moderation_iq()
    gen_bridge_stats()
    gen_fixed_bugs()
