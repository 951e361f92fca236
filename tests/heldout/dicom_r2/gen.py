#!/usr/bin/python3
"""Held-out DICOM de-identification corpus, round 2 (dicom-r2): generator.

    gen.py OUTDIR [--seed N] [--no-validate]

Writes OUTDIR/corpus/... (DICOM files, in folders some of whose names carry
identifiers) and OUTDIR/planted.json (every planted identifier: category,
value, the written forms used, the needles check.py looks for, the files it
was planted in). Same seed, same bytes.

Everything is invented (patients, relatives, staff, hospitals, streets,
numbers). Written by an outside tester from public DICOM knowledge only
(PS3.3 / 3.5 / 3.6 / 3.10 / 3.15); nothing of the tool under test was read.

Requires /usr/bin/python3 with pydicom 2.x (validation and dictionary), numpy,
PIL (JPEG / JPEG 2000 encoders), DCMTK (dcmdump for validation, dcmcjpls and
dcmcjpeg for the JPEG-LS and JPEG lossless frames).
"""
import argparse
import html
import io
import json
import os
import random
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import unicodedata
import zlib

import numpy as np
from PIL import Image, ImageDraw

import pydicom
from pydicom.datadict import dictionary_VR, tag_for_keyword

# ==========================================================================
# 1. normalisation (same rules as check.py)

_COMBINING = re.compile(
    '[\u0300-\u036f\u0483-\u0489\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff'
    '\ufe20-\ufe2f\u3099\u309a]')
_SPECIAL = str.maketrans({
    'œ': 'oe', 'Œ': 'oe', 'æ': 'ae', 'Æ': 'ae', 'ø': 'o', 'Ø': 'o',
    'ł': 'l', 'Ł': 'l', 'đ': 'd', 'Đ': 'd', 'ð': 'd', 'þ': 'th',
    'ı': 'i', 'ß': 'ss', 'ſ': 's', '\u2019': "'",
})
_NONALNUM = re.compile(r'[\W_]+')
_INVISIBLE = re.compile('[\u00ad\u034f\u061c\u115f\u1160\u180e\u200b-\u200f\u202a-\u202e'
                        '\u2060-\u2064\u2066-\u206f\ufeff]')


def fold(s):
    s = _INVISIBLE.sub('', s)
    s = unicodedata.normalize('NFKD', s)
    s = _COMBINING.sub('', s)
    s = s.translate(_SPECIAL)
    return s.casefold()


def norm(s):
    return _NONALNUM.sub(' ', fold(s)).strip()


def digits_only(s):
    return re.sub(r'\D', '', unicodedata.normalize('NFKD', s))


# ==========================================================================
# 2. planted identifiers

class Registry:
    def __init__(self):
        self.idents = {}
        self.order = []
        self.cur = None          # relative path of the file being built
        self.files = []
        self.pending = []

    def add(self, ident):
        assert ident.id not in self.idents, ident.id
        self.idents[ident.id] = ident
        self.order.append(ident.id)
        return ident

    def used(self, ident, form):
        if self.cur is None:
            # used while a builder prepares its file: attributed at begin()
            self.pending.append((ident, form))
            return
        ident.files.setdefault(self.cur, 0)
        ident.files[self.cur] += 1
        if form not in ident.forms:
            ident.forms.append(form)

    def to_json(self):
        out = []
        for i in self.order:
            d = self.idents[i]
            if not d.files:
                continue
            out.append(d.to_json())
        return out


REG = Registry()


class Ident:
    """One identifier. Calling it (or a form method) returns a written form
    and records that it was planted in the current file."""

    def __init__(self, id, category, value, word=(), text=(), digits=(), bytes_hex=(), joined=()):
        self.id = id
        self.category = category
        self.value = value
        self.needles = {'word': list(word), 'text': list(text), 'digits': list(digits),
                        'bytes_hex': list(bytes_hex), 'joined': list(joined)}
        self.forms = []
        self.files = {}
        REG.add(self)

    def use(self, form):
        REG.used(self, form)
        return form

    def __call__(self, form=None):
        return self.use(self.value if form is None else form)

    def add_needle(self, kind, n):
        if n and n not in self.needles[kind]:
            self.needles[kind].append(n)

    def to_json(self):
        nd = {k: v for k, v in self.needles.items() if v}
        forms = self.forms
        return {'id': self.id, 'category': self.category, 'value': self.value,
                'forms': forms, 'forms_normalised': sorted(set(norm(f) for f in forms if isinstance(f, str))),
                'needles': nd, 'files': sorted(self.files)}


class Person(Ident):
    """surname: display surname; core: distinctive token(s) (the needles)."""

    def __init__(self, id, category, surname, given, core=None, sex='F', title=None, extra_words=()):
        self.surname = surname
        self.given = given
        self.sex = sex
        self.title = title
        core = core or [surname]
        words = []
        for c in list(core) + list(extra_words):
            words.append(norm(c))
        joined = [norm(c).replace(' ', '') for c in core if ' ' in norm(c)]
        super().__init__(id, category, '%s^%s' % (surname.upper(), given), word=words, joined=joined)
        for c in core:
            self.add_needle('joined', norm(c).replace(' ', ''))

    def pn(self, style=0):
        s, g = self.surname, self.given
        forms = [
            '%s^%s' % (s.upper(), g),
            '%s^%s^^%s' % (s, g, self.title or ('Mme' if self.sex == 'F' else 'M.')),
            '%s^%s^^Dr' % (s.upper(), g),
            '%s^%s' % (s, g),
            '%s^%s^^^' % (s.upper(), g.upper()),
        ]
        return self.use(forms[style % len(forms)])

    def txt(self, style=0):
        s, g = self.surname, self.given
        civ = 'Mme' if self.sex == 'F' else 'M.'
        forms = [
            '%s %s' % (g, s.upper()),
            'Dr %s %s' % (g, s),
            '%s. %s' % (g[0], s),
            '%s %s' % (civ, s.upper()),
            '%s, %s' % (s, g),
            'Pr %s' % s.upper(),
            '%s %s' % (s.upper(), g),
            '%s.%s' % (g[0].lower(), fold(s).replace(' ', '').replace("'", '')),
        ]
        return self.use(forms[style % len(forms)])

    def up_raw(self):
        return re.sub(r'[^A-Z0-9]+', '_', fold(self.surname).upper()).strip('_')

    def up(self):
        """upper case, no accents, spaces/hyphens -> underscore (CS / labels)."""
        return self.use(self.up_raw())


MOIS = ['janvier', 'février', 'mars', 'avril', 'mai', 'juin', 'juillet', 'août',
        'septembre', 'octobre', 'novembre', 'décembre']
MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August',
          'September', 'October', 'November', 'December']
JOURS = ['lundi', 'mardi', 'mercredi', 'jeudi', 'vendredi', 'samedi', 'dimanche']
FR_NUM = {13: 'treize', 14: 'quatorze', 15: 'quinze', 16: 'seize', 17: 'dix-sept',
          18: 'dix-huit', 19: 'dix-neuf', 20: 'vingt', 21: 'vingt et un', 22: 'vingt-deux',
          23: 'vingt-trois', 24: 'vingt-quatre', 25: 'vingt-cinq', 26: 'vingt-six',
          27: 'vingt-sept', 28: 'vingt-huit'}


def fr_year(y):
    unit = ['', 'un', 'deux', 'trois', 'quatre', 'cinq', 'six', 'sept', 'huit', 'neuf']
    if y >= 2000:
        r = y - 2000
        tail = {0: '', 1: ' un'}.get(r)
        if tail is None:
            if r < 10:
                tail = ' ' + unit[r]
            elif r < 17:
                tail = ' ' + ['dix', 'onze', 'douze', 'treize', 'quatorze', 'quinze', 'seize'][r - 10]
            elif r < 20:
                tail = ' dix-' + unit[r - 10]
            else:
                tail = ' vingt' + ('' if r == 20 else (' et un' if r == 21 else '-' + unit[r - 20]))
        return 'deux mille' + tail
    return None


class Date(Ident):
    def __init__(self, id, category, y, m, d):
        self.y, self.m, self.d = y, m, d
        import datetime
        self.wd = datetime.date(y, m, d).weekday()
        da = '%04d%02d%02d' % (y, m, d)
        digits = [da, '%02d%02d%04d' % (d, m, y), '%02d%02d%04d' % (m, d, y)]
        text = [norm('%d %s %d' % (d, MOIS[m - 1], y)), norm('%s %d %d' % (MONTHS[m - 1], d, y)),
                norm('%d %s %d' % (d, MONTHS[m - 1], y)), norm('%d %s %d' % (d, MONTHS[m - 1][:3], y)),
                norm('%dth of %s %d' % (d, MONTHS[m - 1], y)), norm('%dth %s %d' % (d, MONTHS[m - 1], y))]
        fy = fr_year(y)
        if fy:
            text.append(norm('%s %s %s' % (FR_NUM[d], MOIS[m - 1], fy)))
            text.append(norm('%d %s %s' % (d, MOIS[m - 1], fy)))
        super().__init__(id, category, da, text=text, digits=digits)

    def da(self):
        return self.use('%04d%02d%02d' % (self.y, self.m, self.d))

    def dt(self, hh=10, mm=12, ss=0):
        return self.use('%04d%02d%02d%02d%02d%02d' % (self.y, self.m, self.d, hh, mm, ss))

    def f(self, style):
        y, m, d = self.y, self.m, self.d
        forms = {
            'slash': '%02d/%02d/%04d' % (d, m, y),
            'dot': '%02d.%02d.%04d' % (d, m, y),
            'iso': '%04d-%02d-%02d' % (y, m, d),
            'us': '%02d/%02d/%04d' % (m, d, y),
            'exif': '%04d:%02d:%02d' % (y, m, d),
            'fr': '%d %s %d' % (d, MOIS[m - 1], y),
            'frj': '%s %d %s %d' % (JOURS[self.wd], d, MOIS[m - 1], y),
            'FR': '%d %s %d' % (d, MOIS[m - 1].upper(), y),
            'en': '%s %d, %d' % (MONTHS[m - 1], d, y),
            'en2': '%dth of %s %d' % (d, MONTHS[m - 1], y),
            'mon': '%02d-%s-%04d' % (d, MONTHS[m - 1][:3].upper(), y),
            'spelled': '%s %s %s' % (FR_NUM[d], MOIS[m - 1], fr_year(y) or y),
            'ymd/': '%04d/%02d/%02d' % (y, m, d),
            'dashfr': '%02d-%02d-%04d' % (d, m, y),
        }
        return self.use(forms[style])


class Phone(Ident):
    """French number; nat9 = the 9 digits after the leading 0."""

    def __init__(self, id, category, nat9):
        self.n = nat9
        super().__init__(id, category, '0' + nat9, digits=[nat9], joined=[nat9])

    def f(self, style=0):
        n = self.n
        p = [n[0], n[1:3], n[3:5], n[5:7], n[7:9]]
        forms = [
            '0%s %s %s %s %s' % tuple(p),
            '0%s.%s.%s.%s.%s' % tuple(p),
            '+33 %s %s %s %s %s' % tuple(p),
            '+33 (0)%s %s %s %s %s' % tuple(p),
            '0%s-%s-%s-%s-%s' % tuple(p),
            '(0%s) %s %s %s %s' % tuple(p),
            '0033%s%s' % (n[0], n[1:]),
            'tel:+33-%s-%s-%s-%s-%s' % tuple(p),
            '0%s%s' % (n[0], n[1:]),
            '+33%s' % n,
            '0%s %s %s %s' % (n[:3], n[3:5], n[5:7], n[7:]),
        ]
        return self.use(forms[style % len(forms)])


class InstLinked(Ident):
    """URL / e-mail whose text names an institution or a person: using it plants those too."""
    inst = None
    links = ()

    def use(self, form):
        links = list(self.links)
        if self.inst is not None:
            links.append((self.inst, self.inst.core))
        nf = ' %s ' % norm(form)
        for ident, token in links:
            t = norm(token)
            if ' %s ' % t in nf or ' %s ' % t.replace(' ', '') in nf:
                ident.use(token)
        return super().use(form)


def gen_ident(id, category, value, word=(), text=(), digits=(), joined=(), bytes_hex=()):
    return Ident(id, category, value, word=word, text=text, digits=digits, joined=joined, bytes_hex=bytes_hex)


# ==========================================================================
# 3. DICOM encoder (own, for byte-level control)

EXT_LEN_VRS = {'OB', 'OD', 'OF', 'OL', 'OV', 'OW', 'SQ', 'SV', 'UC', 'UN', 'UR', 'UT', 'UV'}
TEXT_VRS = {'AE', 'AS', 'CS', 'DA', 'DS', 'DT', 'IS', 'LO', 'LT', 'PN', 'SH', 'ST', 'TM', 'UC', 'UI', 'UR', 'UT'}
NUM_FMT = {'US': 'H', 'SS': 'h', 'UL': 'I', 'SL': 'i', 'FL': 'f', 'FD': 'd', 'SV': 'q', 'UV': 'Q',
           'OF': 'f', 'OD': 'd', 'OL': 'I', 'OV': 'Q', 'OW': 'H'}

TS_IMPLICIT = '1.2.840.10008.1.2'
TS_EXPLICIT = '1.2.840.10008.1.2.1'
TS_DEFLATE = '1.2.840.10008.1.2.1.99'
TS_BIG = '1.2.840.10008.1.2.2'
TS_JPEG_BASE = '1.2.840.10008.1.2.4.50'
TS_JPEG_LL = '1.2.840.10008.1.2.4.70'
TS_JPEGLS = '1.2.840.10008.1.2.4.80'
TS_J2K_LL = '1.2.840.10008.1.2.4.90'
TS_J2K = '1.2.840.10008.1.2.4.91'
TS_RLE = '1.2.840.10008.1.2.5'


class El:
    __slots__ = ('tag', 'vr', 'value', 'undef', 'raw', 'wire_vr')

    def __init__(self, tag, vr, value, undef=False, raw=False, wire_vr=None):
        self.tag, self.vr, self.value, self.undef, self.raw, self.wire_vr = tag, vr, value, undef, raw, wire_vr


class Item:
    __slots__ = ('elems', 'undef')

    def __init__(self, elems, undef=False):
        self.elems, self.undef = elems, undef


class Encap:
    def __init__(self, frags, bot=None):
        self.frags, self.bot = frags, bot


def _tag(t):
    if isinstance(t, int):
        return t
    if isinstance(t, tuple):
        return (t[0] << 16) | t[1]
    tg = tag_for_keyword(t)
    if tg is None:
        raise KeyError(t)
    return tg


def E(t, value, vr=None, **kw):
    tag = _tag(t)
    if vr is None:
        vr = dictionary_VR(tag)
        if ' or ' in vr:
            vr = vr.split(' or ')[0]
    return El(tag, vr, value, **kw)


def SQ(t, items, undef=False):
    its = [i if isinstance(i, Item) else Item(i) for i in items]
    return El(_tag(t), 'SQ', its, undef=undef)


def P(group, creator_slot, elem_byte, vr, value, **kw):
    """Private element (group, block slot 0x10.., element low byte)."""
    return El((group << 16) | (creator_slot << 8) | elem_byte, vr, value, **kw)


def code(value, scheme, meaning, version=None, extra=()):
    it = [E('CodeValue', value), E('CodingSchemeDesignator', scheme), E('CodeMeaning', meaning)]
    if version:
        it.append(E('CodingSchemeVersion', version))
    return it + list(extra)


class Ctx:
    def __init__(self, explicit=True, little=True, codec='latin-1'):
        self.explicit, self.little, self.codec = explicit, little, codec

    def child(self, codec):
        return Ctx(self.explicit, self.little, codec)


CHARSET_CODEC = {
    '': 'latin-1', 'ISO_IR 100': 'latin-1', 'ISO_IR 101': 'iso8859_2', 'ISO_IR 144': 'iso8859_5',
    'ISO_IR 126': 'iso8859_7', 'ISO_IR 192': 'utf-8', 'GB18030': 'gb18030', 'GBK': 'gbk',
    'ISO_IR 138': 'iso8859_8', 'ISO_IR 148': 'iso8859_9',
}


def codec_for(charset):
    if isinstance(charset, (list, tuple)):
        first = charset[0]
    else:
        first = charset.split('\\')[0]
    first = first.strip()
    if first.startswith('ISO 2022'):
        return 'latin-1'
    return CHARSET_CODEC.get(first, 'latin-1')


def enc_value(el, ctx):
    v, vr = el.value, el.vr
    if isinstance(v, (bytes, bytearray)):
        b = bytes(v)
        if vr in ('OW',) and not ctx.little:
            b = np.frombuffer(b, '<u2').astype('>u2').tobytes()
        elif vr in ('OF', 'OL') and not ctx.little:
            b = np.frombuffer(b, '<u4').astype('>u4').tobytes()
        elif vr in ('OD', 'OV') and not ctx.little:
            b = np.frombuffer(b, '<u8').astype('>u8').tobytes()
    elif isinstance(v, np.ndarray):
        dt = v.dtype.newbyteorder('<' if ctx.little else '>')
        b = v.astype(dt).tobytes()
    elif vr in TEXT_VRS or vr in ('UN', 'OB') and isinstance(v, (str, list)):
        if isinstance(v, (list, tuple)):
            parts = [p if isinstance(p, (bytes, bytearray)) else str(p).encode(ctx.codec) for p in v]
            b = b'\\'.join(parts)
        else:
            b = str(v).encode(ctx.codec)
    elif vr == 'AT':
        vals = v if isinstance(v, (list, tuple)) else [v]
        b = b''
        for t in vals:
            t = _tag(t)
            b += struct.pack(('<' if ctx.little else '>') + 'HH', t >> 16, t & 0xffff)
    elif vr in NUM_FMT:
        vals = v if isinstance(v, (list, tuple)) else [v]
        b = struct.pack(('<' if ctx.little else '>') + NUM_FMT[vr] * len(vals), *vals)
    else:
        raise TypeError('cannot encode %r as %s' % (v, vr))
    if not el.raw and len(b) % 2:
        b += b'\0' if vr in ('UI', 'OB', 'UN') else b' '
    return b


def enc_tag(tag, ctx):
    return struct.pack(('<' if ctx.little else '>') + 'HH', tag >> 16, tag & 0xffff)


def enc_len(n, ctx, size=4):
    return struct.pack(('<' if ctx.little else '>') + ('I' if size == 4 else 'H'), n)


def enc_items(items, ctx):
    out = b''
    for it in items:
        body = enc_ds(it.elems, ctx)
        out += enc_tag(0xFFFEE000, ctx)
        if it.undef:
            out += enc_len(0xFFFFFFFF, ctx) + body + enc_tag(0xFFFEE00D, ctx) + enc_len(0, ctx)
        else:
            out += enc_len(len(body), ctx) + body
    return out


def enc_elem(el, ctx):
    vr = el.vr
    wire_vr = el.wire_vr or vr
    undef = False
    if vr == 'SQ' or (isinstance(el.value, list) and el.value and isinstance(el.value[0], Item)):
        body = enc_items(el.value, ctx)
        undef = el.undef
        if undef:
            body += enc_tag(0xFFFEE0DD, ctx) + enc_len(0, ctx)
    elif isinstance(el.value, Encap):
        body = b''
        bot = b''.join(struct.pack('<I', o) for o in (el.value.bot or []))
        body += enc_tag(0xFFFEE000, ctx) + enc_len(len(bot), ctx) + bot
        for f in el.value.frags:
            if len(f) % 2:
                f = f + b'\0'
            body += enc_tag(0xFFFEE000, ctx) + enc_len(len(f), ctx) + f
        body += enc_tag(0xFFFEE0DD, ctx) + enc_len(0, ctx)
        undef = True
    else:
        body = enc_value(el, ctx)
        undef = el.undef          # raw bytes already holding items + delimiter
    out = enc_tag(el.tag, ctx)
    if ctx.explicit:
        out += wire_vr.encode('ascii')
        if wire_vr in EXT_LEN_VRS:
            out += b'\0\0' + enc_len(0xFFFFFFFF if undef else len(body), ctx)
        else:
            if len(body) > 0xffff:
                raise ValueError('value too long for %s %08x' % (wire_vr, el.tag))
            out += enc_len(len(body), ctx, 2)
    else:
        out += enc_len(0xFFFFFFFF if undef else len(body), ctx)
    return out + body


def enc_ds(elems, ctx):
    elems = sorted(elems, key=lambda e: e.tag)
    seen = set()
    for e in elems:
        if e.tag in seen:
            raise ValueError('duplicate tag %08x' % e.tag)
        seen.add(e.tag)
    for e in elems:
        if e.tag == 0x00080005:
            cs = e.value if isinstance(e.value, str) else '\\'.join(
                x.decode() if isinstance(x, bytes) else x for x in e.value)
            ctx = ctx.child(codec_for(cs))
    return b''.join(enc_elem(e, ctx) for e in elems)


def file_meta(sop_class, sop_uid, ts, extra=()):
    els = [E((0x0002, 0x0001), b'\x00\x01', 'OB'),
           E((0x0002, 0x0002), sop_class, 'UI'),
           E((0x0002, 0x0003), sop_uid, 'UI'),
           E((0x0002, 0x0010), ts, 'UI'),
           E((0x0002, 0x0012), '1.2.250.1.999.1.2.2', 'UI'),
           E((0x0002, 0x0013), 'HELDOUT_R2_GEN', 'SH')]
    els += list(extra)
    ctx = Ctx(True, True, 'latin-1')
    body = enc_ds(els, ctx)
    return enc_elem(E((0x0002, 0x0000), len(body), 'UL'), ctx) + body


def write_dicom(path, elems, ts, preamble=None, meta_extra=(), no_meta=False, trailing=b''):
    sop_class = sop_uid = None
    for e in elems:
        if e.tag == 0x00080016:
            sop_class = e.value
        if e.tag == 0x00080018:
            sop_uid = e.value
    explicit = ts != TS_IMPLICIT
    little = ts != TS_BIG
    ctx = Ctx(explicit, little, 'latin-1')
    body = enc_ds(elems, ctx) + trailing
    if ts == TS_DEFLATE:
        c = zlib.compressobj(9, zlib.DEFLATED, -15)
        body = c.compress(body) + c.flush()
        if len(body) % 2:
            body += b'\0'
    if no_meta:
        data = body
    else:
        pre = (preamble or b'').ljust(128, b'\0')[:128]
        data = pre + b'DICM' + file_meta(sop_class, sop_uid, ts, meta_extra) + body
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, 'wb') as f:
        f.write(data)
    return data


# ==========================================================================
# 4. pixel containers

def gradient(h, w, seed=0, rgb=False):
    y, x = np.mgrid[0:h, 0:w]
    a = ((x * 3 + y * 2 + seed * 17) % 200 + 20).astype(np.uint8)
    if rgb:
        return np.stack([a, (a // 2 + 60).astype(np.uint8), (255 - a).astype(np.uint8)], -1)
    return a


def burn_text(a, text):
    """Draw text into pixels (burned-in annotation; not counted by check.py)."""
    im = Image.fromarray(a)
    d = ImageDraw.Draw(im)
    d.text((2, 2), text, fill=(255, 255, 255) if im.mode == 'RGB' else 255)
    return np.asarray(im).copy()


def jpeg_baseline(a, quality=90):
    im = Image.fromarray(a)
    b = io.BytesIO()
    if im.mode == 'RGB':
        im.save(b, 'JPEG', quality=quality, subsampling=1)
    else:
        im.save(b, 'JPEG', quality=quality)
    return b.getvalue()


def seg(marker, payload):
    return bytes([0xFF, marker]) + struct.pack('>H', len(payload) + 2) + payload


def jpeg_insert(j, segs, after_app0=True):
    """Insert marker segments after SOI (and after JFIF APP0 if present)."""
    assert j[:2] == b'\xff\xd8'
    pos = 2
    if after_app0 and j[2:4] == b'\xff\xe0':
        ln = struct.unpack('>H', j[4:6])[0]
        pos = 4 + ln
    return j[:pos] + b''.join(segs) + j[pos:]


def jpeg_strip_app0(j):
    if j[2:4] == b'\xff\xe0':
        ln = struct.unpack('>H', j[4:6])[0]
        return j[:2] + j[4 + ln:]
    return j


class Tiff:
    """Minimal little-endian TIFF/Exif writer (IFD0 -> Exif IFD, GPS IFD, IFD1)."""
    ASCII, BYTE, UNDEF, LONG, SHORT, RATIONAL = 2, 1, 7, 4, 3, 5

    def build(self, ifd0, exif=None, gps=None, ifd1=None, thumb=None):
        # layout: header(8) | IFD0 | data0 | ExifIFD | dataE | GPS | dataG | IFD1 | data1 | thumb
        out = bytearray(b'II*\x00' + struct.pack('<I', 8))
        pending = []

        def ifd_size(entries):
            return 2 + 12 * len(entries) + 4

        def write_ifd(entries, next_off_fn):
            base = len(out)
            data_off = base + ifd_size(entries)
            body = bytearray(struct.pack('<H', len(entries)))
            data = bytearray()
            for tag, typ, val in sorted(entries, key=lambda e: e[0]):
                if typ == self.ASCII:
                    raw = val.encode('latin-1') + b'\0'
                    cnt = len(raw)
                elif typ in (self.BYTE, self.UNDEF):
                    raw = val
                    cnt = len(raw)
                elif typ == self.LONG:
                    raw = struct.pack('<I', val)
                    cnt = 1
                elif typ == self.SHORT:
                    raw = struct.pack('<H', val) + b'\0\0'
                    cnt = 1
                else:
                    raw = struct.pack('<II', *val)
                    cnt = 1
                if len(raw) <= 4:
                    body += struct.pack('<HHI', tag, typ, cnt) + raw.ljust(4, b'\0')
                else:
                    off = data_off + len(data)
                    body += struct.pack('<HHI', tag, typ, cnt) + struct.pack('<I', off)
                    data += raw
                    if len(data) % 2:
                        data += b'\0'
            body += b'\0\0\0\0'      # next IFD offset, patched later
            out.extend(body)
            out.extend(data)
            return base

        # placeholder pointers are patched after layout: build sub-IFDs first in order
        ifd0 = list(ifd0)
        if exif is not None:
            ifd0.append((0x8769, self.LONG, 0))
        if gps is not None:
            ifd0.append((0x8825, self.LONG, 0))
        b0 = write_ifd(ifd0, None)
        offs = {}
        if exif is not None:
            offs[0x8769] = write_ifd(exif, None)
        if gps is not None:
            offs[0x8825] = write_ifd(gps, None)
        b1 = None
        if ifd1 is not None:
            ifd1 = list(ifd1) + [(0x0201, self.LONG, 0), (0x0202, self.LONG, len(thumb))]
            b1 = write_ifd(ifd1, None)
            toff = len(out)
            out.extend(thumb)
            self._patch(out, b1, 0x0201, toff)
            struct.pack_into('<I', out, b0 + 2 + 12 * len(ifd0), b1)
        for t, o in offs.items():
            self._patch(out, b0, t, o)
        return bytes(out)

    @staticmethod
    def _patch(out, ifd_base, tag, value):
        n = struct.unpack_from('<H', out, ifd_base)[0]
        for i in range(n):
            p = ifd_base + 2 + 12 * i
            t = struct.unpack_from('<H', out, p)[0]
            if t == tag:
                struct.pack_into('<I', out, p + 8, value)
                return
        raise KeyError(tag)


def xp(s):
    """Windows XP* Exif tags: UTF-16LE, NUL terminated."""
    return s.encode('utf-16-le') + b'\0\0'


def icc_profile(desc, cprt, dmnd=None, dmdd=None, v4=False):
    """A small RGB display ICC profile with text tags (desc, cprt, dmnd, dmdd)."""
    def xyz(x, y, z):
        f = lambda v: struct.pack('>i', int(round(v * 65536)))
        return b'XYZ \0\0\0\0' + f(x) + f(y) + f(z)

    def curv(g):
        return b'curv\0\0\0\0' + struct.pack('>I', 1) + struct.pack('>H', int(g * 256)) + b'\0\0'

    def textdesc(s):
        a = s.encode('latin-1', 'replace') + b'\0'
        u = s.encode('utf-16-be') + b'\0\0'
        return (b'desc\0\0\0\0' + struct.pack('>I', len(a)) + a + struct.pack('>I', 0) +
                struct.pack('>I', len(u) // 2) + u + b'\0\0' + b'\0' + b'\0' * 67)

    def mluc(s):
        u = s.encode('utf-16-be')
        return (b'mluc\0\0\0\0' + struct.pack('>II', 1, 12) + b'frFR' +
                struct.pack('>II', len(u), 28) + u)

    def text(s):
        return b'text\0\0\0\0' + s.encode('latin-1', 'replace') + b'\0'

    mk = mluc if v4 else textdesc
    tags = [(b'desc', mk(desc)), (b'cprt', mluc(cprt) if v4 else text(cprt)),
            (b'wtpt', xyz(0.9505, 1.0, 1.089)), (b'rXYZ', xyz(0.4361, 0.2225, 0.0139)),
            (b'gXYZ', xyz(0.3851, 0.7169, 0.0971)), (b'bXYZ', xyz(0.1431, 0.0606, 0.7141)),
            (b'rTRC', curv(2.2)), (b'gTRC', curv(2.2)), (b'bTRC', curv(2.2))]
    if dmnd:
        tags.append((b'dmnd', mk(dmnd)))
    if dmdd:
        tags.append((b'dmdd', mk(dmdd)))
    n = len(tags)
    off = 128 + 4 + 12 * n
    table = struct.pack('>I', n)
    data = b''
    for sig, t in tags:
        while (off + len(data)) % 4:
            data += b'\0'
        table += sig + struct.pack('>II', off + len(data), len(t))
        data += t
    size = 128 + len(table) + len(data)
    hdr = struct.pack('>I', size) + b'none' + (b'\x04\x30\x00\x00' if v4 else b'\x02\x10\x00\x00')
    hdr += b'mntrRGB XYZ ' + struct.pack('>6H', 2021, 6, 15, 9, 30, 0) + b'acsp' + b'\0' * 4
    hdr += b'\0' * 4 + b'none' + b'none' + b'\0' * 8 + struct.pack('>I', 0)
    hdr += struct.pack('>iii', 63190, 65536, 54061) + b'none' + b'\0' * 16 + b'\0' * 28
    assert len(hdr) == 128, len(hdr)
    return hdr + table + data


def xmp_packet(fields):
    body = ''.join(fields)
    return ('<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>\n'
            '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
            '<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/" '
            'xmlns:xmp="http://ns.adobe.com/xap/1.0/" xmlns:photoshop="http://ns.adobe.com/photoshop/1.0/" '
            'xmlns:Iptc4xmpCore="http://iptc.org/std/Iptc4xmpCore/1.0/xmlns/">'
            + body + '</rdf:Description></rdf:RDF></x:xmpmeta>\n<?xpacket end="w"?>').encode('utf-8')


def iptc_app13(records):
    iptc = b''
    for (rec, ds, val) in records:
        v = val.encode('utf-8')
        iptc += b'\x1c' + bytes([rec, ds]) + struct.pack('>H', len(v)) + v
    if len(iptc) % 2:
        iptc += b'\0'
    res = b'8BIM' + struct.pack('>H', 0x0404) + b'\0\0' + struct.pack('>I', len(iptc)) + iptc
    return b'Photoshop 3.0\0' + res


def j2k_codestream(a, lossless=True):
    im = Image.fromarray(a)
    b = io.BytesIO()
    im.save(b, 'JPEG2000', irreversible=not lossless, no_jp2=True)
    return b.getvalue()


def j2k_insert_com(cs, main_com=None, tile_com=None):
    """COM (FF64, Rcom=1 Latin-1) in the main header (before the first SOT)
    and/or in the first tile-part header (after SOT, Psot adjusted)."""
    i = cs.find(b'\xff\x90')
    assert i > 0
    if main_com is not None:
        p = b'\x00\x01' + main_com
        com = b'\xff\x64' + struct.pack('>H', len(p) + 2) + p
        cs = cs[:i] + com + cs[i:]
        i += len(com)
    if tile_com is not None:
        p = b'\x00\x01' + tile_com
        com = b'\xff\x64' + struct.pack('>H', len(p) + 2) + p
        psot = struct.unpack('>I', cs[i + 6:i + 10])[0]
        if psot:
            psot += len(com)
        sot = cs[i:i + 6] + struct.pack('>I', psot) + cs[i + 10:i + 12]
        cs = cs[:i] + sot + com + cs[i + 12:]
    return cs


def jp2_wrap(a, boxes_before_codestream, com=None, lossless=False):
    im = Image.fromarray(a)
    b = io.BytesIO()
    im.save(b, 'JPEG2000', irreversible=not lossless)
    d = b.getvalue()
    # boxes: jP, ftyp, jp2h, jp2c; insert ours before jp2c
    k = d.find(b'jp2c')
    start = k - 4
    cs = d[k + 4:]
    if com:
        cs = j2k_insert_com(cs, main_com=com)
    jp2c = struct.pack('>I', len(cs) + 8) + b'jp2c' + cs
    extra = b''
    for typ, payload in boxes_before_codestream:
        extra += struct.pack('>I', len(payload) + 8) + typ + payload
    return d[:start] + extra + jp2c


def packbits(data):
    out = bytearray()
    i = 0
    n = len(data)
    while i < n:
        j = i
        while j + 1 < n and data[j + 1] == data[i] and j - i < 127:
            j += 1
        run = j - i + 1
        if run >= 2:
            out.append((257 - run) & 0xff)
            out.append(data[i])
            i = j + 1
        else:
            k = i
            while k < n and k - i < 128 and not (k + 1 < n and data[k + 1] == data[k]):
                k += 1
            if k == i:
                k = i + 1
            out.append(k - i - 1)
            out += data[i:k]
            i = k
    return bytes(out)


def rle_frame(a, trailer=b''):
    """RLE Lossless frame for 8-bit single-sample or 8-bit RGB (one segment per plane)."""
    if a.ndim == 2:
        planes = [a.tobytes()]
    else:
        planes = [a[..., k].tobytes() for k in range(a.shape[2])]
    segs = []
    for p in planes:
        s = packbits(p)
        if len(s) % 2:
            s += b'\x80'      # no-op byte (-128)
        segs.append(s)
    hdr = [len(segs)]
    off = 64
    for s in segs:
        hdr.append(off)
        off += len(s)
    hdr += [0] * (16 - len(hdr))
    return struct.pack('<16I', *hdr) + b''.join(segs) + trailer


def dcmtk_compress(a, bits, kind, workdir):
    """Compress one 16/8-bit grayscale frame with DCMTK; return the codestream."""
    elems = [E('SOPClassUID', '1.2.840.10008.5.1.4.1.1.7'), E('SOPInstanceUID', '1.2.250.1.999.9.9.1'),
             E('SamplesPerPixel', 1), E('PhotometricInterpretation', 'MONOCHROME2'),
             E('Rows', a.shape[0]), E('Columns', a.shape[1]), E('BitsAllocated', bits),
             E('BitsStored', bits), E('HighBit', bits - 1), E('PixelRepresentation', 0),
             E('PixelData', a.astype('<u2' if bits == 16 else 'u1').tobytes(), 'OW' if bits == 16 else 'OB')]
    src = os.path.join(workdir, 'src.dcm')
    dst = os.path.join(workdir, 'dst.dcm')
    write_dicom(src, elems, TS_EXPLICIT)
    if kind == 'jpegls':
        cmd = ['dcmcjpls', '--encode-lossless', src, dst]
    else:
        cmd = ['dcmcjpeg', '--encode-lossless-sv1', src, dst]
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    ds = pydicom.dcmread(dst)
    from pydicom.encaps import generate_pixel_data_frame
    fr = list(generate_pixel_data_frame(ds.PixelData))
    return fr[0]


# ==========================================================================
# 5. ASN.1 (for a certificate-like blob in Digital Signatures)

def der(tag, content):
    n = len(content)
    if n < 128:
        ln = bytes([n])
    elif n < 256:
        ln = b'\x81' + bytes([n])
    else:
        ln = b'\x82' + struct.pack('>H', n)
    return bytes([tag]) + ln + content


def der_oid(s):
    parts = [int(x) for x in s.split('.')]
    out = bytes([40 * parts[0] + parts[1]])
    for p in parts[2:]:
        enc = [p & 0x7f]
        p >>= 7
        while p:
            enc.append(0x80 | (p & 0x7f))
            p >>= 7
        out += bytes(reversed(enc))
    return der(0x06, out)


def der_name(pairs):
    oids = {'CN': '2.5.4.3', 'O': '2.5.4.10', 'OU': '2.5.4.11', 'L': '2.5.4.7', 'E': '1.2.840.113549.1.9.1',
            'serialNumber': '2.5.4.5', 'street': '2.5.4.9', 'tel': '2.5.4.20'}
    rdns = b''
    for k, v in pairs:
        tag = 0x16 if k == 'E' else 0x0c
        rdns += der(0x31, der(0x30, der_oid(oids[k]) + der(tag, v.encode('utf-8'))))
    return der(0x30, rdns)


def fake_certificate(subject, issuer, serial, not_before, not_after):
    tbs = der(0xa0, der(0x02, b'\x02'))
    tbs += der(0x02, serial)
    tbs += der(0x30, der_oid('1.2.840.113549.1.1.11') + b'\x05\x00')
    tbs += der_name(issuer)
    tbs += der(0x30, der(0x17, not_before.encode()) + der(0x17, not_after.encode()))
    tbs += der_name(subject)
    tbs += der(0x30, der(0x30, der_oid('1.2.840.10045.2.1') + der_oid('1.2.840.10045.3.1.7')) +
               der(0x03, b'\x00\x04' + bytes(range(64))))
    tbs = der(0x30, tbs)
    return der(0x30, tbs + der(0x30, der_oid('1.2.840.113549.1.1.11') + b'\x05\x00') +
               der(0x03, b'\x00' + bytes(range(32)) * 2))


# ==========================================================================
# 6. the cast (all invented)

PATIENT_NAMES = [
    ('Kerdrévaneg', ['Kerdrévaneg']), ('Tanguérecq', ['Tanguérecq']), ('Morvézennic', ['Morvézennic']),
    ('Penhoadicq', ['Penhoadicq']), ('Goasdouéric', ['Goasdouéric']), ('Bourdichaud-Vautrinelle', ['Bourdichaud', 'Vautrinelle']),
    ('Chassagnolle', ['Chassagnolle']), ('Fromentière-Ravix', ['Fromentière', 'Ravix']), ('Marcouillac', ['Marcouillac']),
    ('Pelletrat-Cornuel', ['Pelletrat', 'Cornuel']), ('Rouzeyrolles', ['Rouzeyrolles']),
    ('Catarino-Figueirinha', ['Catarino', 'Figueirinha']), ('Quénéhervéou', ['Quénéhervéou']), ("Guivarc'hic", ["Guivarc'hic"]),
    ('Le Goarnic-Quéménoret', ['Goarnic', 'Quéménoret']), ('Kerangoarecq', ['Kerangoarecq']), ('Trémintinec', ['Trémintinec']),
    ('Dantzigourt', ['Dantzigourt']), ('Ollivrouët', ['Ollivrouët']), ('Lozac\'hmeuric', ["Lozac'hmeuric"]),
    ('Sabatellini', ['Sabatellini']), ('Boisgontier-Aumale', ['Boisgontier']), ('Vercoustre', ['Vercoustre']),
    ('Lescoat-Mervennic', ['Mervennic']), ('Guénolvez', ['Guénolvez']), ('Trébaolecq', ['Trébaolecq']),
    ('Penvernicq', ['Penvernicq']), ('Kerbiriou-Lagadeuc', ['Lagadeuc']), ('Poulhazanic', ['Poulhazanic']),
    ('Rumengolic', ['Rumengolic']), ('Tronévézec', ['Tronévézec']), ('Goascozic', ['Goascozic']),
    ('Plévennecq', ['Plévennecq']), ('Keranflec-Rouzic', ['Keranflec']), ('Jézéguélou', ['Jézéguélou']),
    ('Kerhascoëtic', ['Kerhascoëtic']), ('Bréventecq', ['Bréventecq']),
]
PATIENT_GIVEN_F = ['Yvette', 'Maëlys', 'Gwenaëlle', 'Rozenn', 'Anaïs', 'Soizic', 'Nolwenn', 'Aziliz',
                   'Bénédicte', 'Élodie', 'Azénor', 'Maïwenn', 'Clémence', 'Gaëtane']
PATIENT_GIVEN_M = ['Loïc', 'Corentin', 'Hervé', 'Brieuc', 'Jean-Édouard', 'Tugdual', 'Ronan', 'Gwénolé',
                   'Erwan', 'Maël', 'Youenn', 'Anthelme']
RELATIVE_NAMES = ['Kerhuellou', 'Bléas-Marecq', 'Tromelinou', 'Coatmeuric', 'Landévennec-Gall', 'Poullaouec',
                  'Squividitz', 'Lannuzelou', 'Morgatic', 'Rospiridou', 'Kermorvannic', 'Dourdaineq',
                  'Plouvorneac', 'Kergrist-Mahé']
STAFF_NAMES = ['Kervastigou', "Floc'hmoan", 'Tallecours', 'Quérelloc', 'Plassardin', 'Jaffrézou', 'Nédéloc',
               'Gouriouët', 'Kerjéguic', 'Lamarzellec', 'Morvanicq', 'Guillouzic', 'Tréguerecq', 'Castellaouen',
               'Moignicq', 'Bescondour', 'Kermarrecq', 'Perennoul', 'Salaünic', 'Keraudrenc', 'Lostanlenq',
               'Cozanet-Rohou', 'Dantecqou', 'Hascoëtin', 'Gourvennecq', 'Pichavantou', 'Quintricq',
               'Stéphanou-Kerlo', 'Douguet-Riouall', 'Bihannicq', 'Scouarnecq', 'Kerhervéou', 'Trividicq',
               'Coatanéac', 'Gallouédecq', 'Prigentou', 'Jézéquelin', 'Madecqui', 'Furicquet', 'Tromeurq',
               'Cadiouet', 'Borgnicq', 'Guéguenou', 'Rannouic', "Kerloc'hou", 'Pennecoatic', 'Olivéricq',
               'Ménezoul', 'Kervarecq', 'Thépaultic', 'Quillévéroux', 'Bodénèsic', 'Guernalecq', 'Rivoalennic']
STAFF_PREFIX = ['Ker', 'Plou', 'Lan', 'Tré', 'Guer', 'Pen', 'Loc', 'Coat', 'Mor', 'Gwen', 'Rosc', 'Trou',
                'Quim', 'Lez']
STAFF_SUFFIX = ['vélecq', 'drénic', 'gouarcq', 'hervic', 'malouenn', 'nédicq', 'riouetz', 'zélecq',
                'bihanicq', 'goadicq', 'lévenecq', 'maréchicq']
STAFF_GIVEN = ['Anne-Laure', 'Yannick', 'Gwenola', 'Sébastien', 'Katell', 'Pierre-Yves', 'Enora', 'Goulven',
               'Morgane', 'Thibault', 'Solenn', 'Grégoire', 'Armelle', 'Pascal', 'Éliane', 'Frédéric',
               'Nathalie', 'Joël', 'Rozenn', 'Malo', 'Hélène', 'Ewen', 'Servane', 'Alain']
INSTITUTIONS = [
    ('Centre Hospitalier de Kerlann-Ploudour', ['Kerlann'], 'ch-kerlann.fr'),
    ('Clinique Sainte-Anvelle', ['Anvelle'], 'clinique-anvelle.fr'),
    ('Polyclinique du Trégorvel', ['Trégorvel'], 'tregorvel-sante.fr'),
    ('Hôpital privé des Landes de Morgoat', ['Morgoat'], 'hp-morgoat.fr'),
    ('Institut de cancérologie Penn-ar-Vellec', ['Vellec'], 'icpv-oncologie.fr'),
    ('CHU de Brestanvec', ['Brestanvec'], 'chu-brestanvec.fr'),
    ('Centre de radiothérapie Ker-Avalou', ['Avalou'], 'kavalou-rt.fr'),
    ("Cabinet d'ophtalmologie du Lac Goulaouën", ['Goulaouën'], 'ophta-goulaouen.fr'),
    ('Clinique vétérinaire du Ménez-Bihanvel', ['Bihanvel'], 'veto-bihanvel.fr'),
    ('Maternité Notre-Dame de Tréouvran', ['Tréouvran'], 'mat-treouvran.fr'),
    ('Centre médical Sant-Ivoric', ['Ivoric'], 'cm-ivoric.fr'),
    ('Laboratoire de physique médicale Runavel', ['Runavel'], 'runavel-phys.fr'),
]
DEPARTMENTS = [('Pavillon Lamarzelle-Ouest', ['Lamarzelle']), ('Unité Aubrac-Velin', ['Aubrac Velin']),
               ('Service Plessix-Guérande', ['Plessix']), ('Bâtiment Ar Stêrvenn', ['Stêrvenn']),
               ('Secteur Coat-Kerné', ['Coat Kerné']), ('Plateau Kerbriantic', ['Kerbriantic']),
               ('Unité Ty-Névézic', ['Névézic']), ('Aile Roscanvelou', ['Roscanvelou']),
               ('Box Menhirvel', ['Menhirvel']), ('Salle Goarem-Traon', ['Goarem']),
               ('Unité Lanviliau', ['Lanviliau']), ('Service Kergoustin', ['Kergoustin']),
               ('Pôle Traonévez', ['Traonévez']), ('Unité Ker-Hüelgoat', ['Hüelgoat']),
               ('Secteur Pors-Milinou', ['Milinou']), ('Pavillon Guernévézic', ['Guernévézic']),
               ('Service Rosmadécq', ['Rosmadécq']), ('Plateau Lannivinec', ['Lannivinec']),
               ('Bâtiment Goarivelle', ['Goarivelle']), ('Unité Coat-Frézal', ['Frézal'])]
STREETS = ['Kervouster', 'Runigouarc', 'Poullicaden', 'Créac\'hilis', 'Penfrétoul', 'Goazillec', 'Roudouallec',
           'Kerlavaric', 'Menez-Hom-Izel', 'Stang-Vihanic', 'Traon-Bihannec', 'Ty-Glazic', 'Lesvéhennec',
           'Pors-Kerivin', 'Coat-Mallouen', 'Rozavilec', 'Kerguiduff', 'Hent-Glasvenn', 'Parc-Ar-Veilh',
           'Lannourzel', 'Kerzuhel', 'Poulfranc', 'Castel-Ruffel', 'Gorréquer']
TOWNS = ['Plourivézec', 'Lannédernic', 'Saint-Urfoët', 'Locmaria-Bréhecq', 'Trégarvanic', 'Kerlouanic',
         'Ploumadecq', 'Lanvézéac', 'Guiclanvec', 'Plouzévédic', 'Treffiagatou', 'Loperhetic', 'Bodilisec',
         'Pleyber-Goazec', 'Landudalec', 'Crozonnic', 'Plounévézic', 'Tréflévénec', 'Lampaulic', 'Kernouësic']
STREET_KIND = ['rue', 'allée', 'impasse', 'chemin', 'route de', 'place', 'venelle', 'lieu-dit']
HOSTS_WORDS = ['pacs', 'viewer', 'wado', 'portail', 'dmp', 'ris']


class Cast:
    def __init__(self, seed):
        self.rng = random.Random(seed)
        r = self.rng
        self.pnames = PATIENT_NAMES[:]
        r.shuffle(self.pnames)
        extra = [p + q for p in STAFF_PREFIX for q in STAFF_SUFFIX]
        r.shuffle(extra)
        self.snames = extra[:90] + STAFF_NAMES[:]
        r.shuffle(self.snames)
        self.rnames = RELATIVE_NAMES[:]
        r.shuffle(self.rnames)
        self.insts_pool = INSTITUTIONS[:]
        self.depts_pool = DEPARTMENTS[:]
        r.shuffle(self.depts_pool)
        self.streets = STREETS[:]
        r.shuffle(self.streets)
        self.towns = TOWNS[:]
        r.shuffle(self.towns)
        self.n = {}
        self.used_digits = set()
        self.used_dates = set()
        self.inst_objs = {}

    def count(self, k):
        self.n[k] = self.n.get(k, 0) + 1
        return self.n[k]

    def digits(self, n, first=None):
        while True:
            s = (first or str(self.rng.randint(1, 9))) + ''.join(str(self.rng.randint(0, 9)) for _ in range(n - len(first or 'x')))
            # avoid needles that look like dates or collide with each other
            if s in self.used_digits or re.search(r'(19[3-9]\d|20[12]\d)(0[1-9]|1[0-2])', s):
                continue
            if any(s in u or u in s for u in self.used_digits):
                continue
            self.used_digits.add(s)
            return s

    def date(self, cat, y0, y1):
        while True:
            y = self.rng.randint(y0, y1)
            m = self.rng.randint(1, 12)
            d = self.rng.randint(13, 28)
            if (y, m, d) in self.used_dates:
                continue
            self.used_dates.add((y, m, d))
            k = self.count('date')
            return Date('D%03d.%s' % (k, cat), 'date-' + cat, y, m, d)

    # people ---------------------------------------------------------------
    def patient(self, sex=None, surname=None, core=None, given=None):
        k = self.count('patient')
        r = self.rng
        sex = sex or r.choice('FM')
        if surname is None:
            surname, core = self.pnames.pop()
        if given is None:
            given = r.choice(PATIENT_GIVEN_F if sex == 'F' else PATIENT_GIVEN_M)
        pc = type('PatientCase', (), {})()
        pc.k = k
        pc.sex = sex
        pc.name = Person('P%02d.name' % k, 'patient-name', surname, given, core, sex)
        pc.dob = self.date('birth', 1931, 1989)
        pc.ipp = gen_ident('P%02d.ipp' % k, 'patient-id-ipp', None)
        v = self.digits(10)
        pc.ipp.value = v
        pc.ipp.needles['digits'] = [v]
        pc.ipp.needles['joined'] = [v]
        self._nir(pc)
        return pc

    def _nir(self, pc):
        k = pc.k
        d = pc.dob
        dept = self.rng.choice(['29', '22', '56', '35'])
        body = '%d%02d%02d%s%03d%03d' % (1 if pc.sex == 'M' else 2, d.y % 100, d.m, dept,
                                         self.rng.randint(1, 399), self.rng.randint(1, 999))
        key = 97 - int(body) % 97
        full = body + '%02d' % key
        pc.nir = gen_ident('P%02d.nir' % k, 'patient-id-nir', full, digits=[body], joined=[body])
        self.used_digits.add(body)

    def nda(self, pc):
        v = self.digits(9)
        return gen_ident('P%02d.nda%d' % (pc.k, self.count('nda')), 'visit-id-nda', v, digits=[v], joined=[v])

    def address(self, owner_id):
        r = self.rng
        st = self.streets.pop()
        tw = self.towns.pop()
        num = r.randint(3, 88)
        kind = r.choice(STREET_KIND)
        pc = '29%03d' % r.randint(100, 990)
        val = '%d %s %s, %s %s' % (num, kind, st, pc, tw)
        return gen_ident('%s.address' % owner_id, 'address', val, word=[norm(st), norm(tw)],
                         joined=[norm(st).replace(' ', ''), norm(tw).replace(' ', '')])

    def phone(self, owner_id, mobile=None):
        r = self.rng
        mobile = r.random() < 0.5 if mobile is None else mobile
        first = r.choice('67') if mobile else '2'
        n = first + self.digits(8, first=r.choice('3456789'))
        return Phone('%s.phone%d' % (owner_id, self.count('phone')), 'phone', n)

    def email(self, owner_id, local, domain, inst=None):
        v = '%s@%s' % (local, domain)
        e = InstLinked('%s.email' % owner_id, 'email', v, text=[norm(v)])
        e.inst = inst
        return e

    def relative(self, sex=None):
        k = self.count('relative')
        sex = sex or self.rng.choice('FM')
        s = self.rnames.pop()
        g = self.rng.choice(PATIENT_GIVEN_F if sex == 'F' else PATIENT_GIVEN_M)
        core = [s.split('-')[0]] if '-' in s else [s]
        return Person('R%02d.name' % k, 'relative-name', s, g, core, sex)

    def staff(self, title='Dr'):
        k = self.count('staff')
        s = self.snames.pop()
        g = self.rng.choice(STAFF_GIVEN)
        core = [s.split('-')[0]] if '-' in s else [s]
        p = Person('S%02d.name' % k, 'staff-name', s, g, core, self.rng.choice('FM'), title)
        p.k = k
        return p

    def rpps(self, st):
        v = '10' + self.digits(9)
        return gen_ident('S%02d.rpps' % st.k, 'staff-id-rpps', v, digits=[v], joined=[v])

    def staff_email(self, st, inst):
        local = '%s.%s' % (fold(st.given).replace(' ', '-'), fold(st.surname).replace(' ', '').replace("'", ''))
        e = self.email('S%02d' % st.k, local, inst.host, inst)
        e.links = [(st, st.surname)]
        return e

    # places ---------------------------------------------------------------
    def inst(self, idx):
        if idx in self.inst_objs:
            return self.inst_objs[idx]
        name, core, host = self.insts_pool[idx]
        i = gen_ident('I%02d.name' % idx, 'institution', name, word=[norm(c) for c in core],
                      joined=[norm(c).replace(' ', '') for c in core if ' ' in norm(c)])
        i.host = host
        i.core = core[0]
        i.ae = lambda n=10, i=i: i.use(fold(i.core).upper()[:n])
        i.k = idx
        i._addr = None
        i._phone = None
        i._finess = None
        self.inst_objs[idx] = i
        return i

    def inst_address(self, i):
        if i._addr is None:
            i._addr = self.address('I%02d' % i.k)
        return i._addr

    def inst_phone(self, i):
        if i._phone is None:
            i._phone = self.phone('I%02d' % i.k, mobile=False)
        return i._phone

    def finess(self, i):
        if i._finess is None:
            v = '29' + self.digits(7)
            i._finess = gen_ident('I%02d.finess' % i.k, 'institution-id-finess', v, digits=[v], joined=[v])
        return i._finess

    def dept(self):
        k = self.count('dept')
        name, core = self.depts_pool.pop()
        return gen_ident('U%02d.dept' % k, 'department', name, word=[norm(c) for c in core])

    def serial(self, prefix='SN'):
        k = self.count('serial')
        r = self.rng
        a = ''.join(r.choice('BCDFGHJKLMNPQRSTVWXZ') for _ in range(2)) + str(r.randint(2, 9)) + r.choice('BCDFGHJKLMNPQRSTVWXZ')
        b = self.digits(5)
        v = '%s-%s-%s' % (prefix, a, b)
        return gen_ident('V%02d.serial' % k, 'device-serial', v, text=[norm(a + '-' + b)],
                         joined=[norm(a + b).replace(' ', '')])

    def accession(self):
        k = self.count('acc')
        v = self.digits(10)
        return gen_ident('A%02d.accession' % k, 'accession', v, digits=[v], joined=[v])

    def hl7(self, kind='MSG'):
        k = self.count('hl7')
        v = self.digits(10)
        return gen_ident('H%02d.hl7' % k, 'hl7-id', '%s%s' % (kind, v), digits=[v], joined=[v])

    def url(self, inst, path, extra_needle=None):
        k = self.count('url')
        host = '%s.%s' % (self.rng.choice(HOSTS_WORDS), inst.host)
        v = 'https://%s%s' % (host, path)
        u = InstLinked('W%02d.url' % k, 'url', v, text=[norm(host)])
        u.inst = inst
        return u

    def other_id(self, cat, n=8, prefix=''):
        k = self.count('other')
        v = self.digits(n)
        return gen_ident('O%02d.%s' % (k, cat), cat, prefix + v, digits=[v], joined=[v])


_UIDN = [0]


def uid(kind=1):
    _UIDN[0] += 1
    return '1.2.250.1.999.2.%d.%d' % (kind, _UIDN[0])


# ==========================================================================
# 7. common modules and SR helpers

def sop(sop_class, sop_uid, charset=None, extra=()):
    els = [E('SOPClassUID', sop_class), E('SOPInstanceUID', sop_uid)]
    if charset is not None:
        els.append(E('SpecificCharacterSet', charset))
    return els + list(extra)


def patient(pc, style=0, extra=()):
    return [E('PatientName', pc.name.pn(style)), E('PatientID', pc.ipp()),
            E('PatientBirthDate', pc.dob.da()), E('PatientSex', pc.sex)] + list(extra)


class Study:
    def __init__(self, cast, pc, date, referring=None, accession=None, desc=None, time='101500'):
        self.uid = uid(3)
        self.pc = pc
        self.date = date
        self.ref = referring
        self.acc = accession or cast.accession()
        self.desc = desc
        self.time = time

    def elems(self, ref_style=0, extra=()):
        els = [E('StudyInstanceUID', self.uid), E('StudyDate', self.date.da()), E('StudyTime', self.time),
               E('ReferringPhysicianName', self.ref.pn(ref_style) if self.ref else ''),
               E('StudyID', 'EX%s' % self.uid.rsplit('.', 1)[1]),
               E('AccessionNumber', self.acc())]
        if self.desc:
            els.append(E('StudyDescription', self.desc))
        return els + list(extra)


def series(modality, number=1, desc=None, extra=()):
    els = [E('Modality', modality), E('SeriesInstanceUID', uid(4)), E('SeriesNumber', str(number))]
    if desc:
        els.append(E('SeriesDescription', desc))
    return els + list(extra)


def equipment(manufacturer='Genericorp Medical', model=None, extra=()):
    els = [E('Manufacturer', manufacturer)]
    if model:
        els.append(E('ManufacturerModelName', model))
    return els + list(extra)


def image_pixel(a, photometric=None, bits=None, signed=False, planar=None, pixel=None, frames=None, vr=None):
    rows, cols = a.shape[0], a.shape[1]
    spp = a.shape[2] if a.ndim == 3 and frames is None or (a.ndim == 4) else 1
    if frames is not None and a.ndim == 4:
        rows, cols, spp = a.shape[1], a.shape[2], a.shape[3]
    elif frames is not None:
        rows, cols = a.shape[1], a.shape[2]
        spp = 1
    bits = bits or (16 if a.dtype.itemsize == 2 else 8)
    photometric = photometric or ('RGB' if spp == 3 else 'MONOCHROME2')
    els = [E('SamplesPerPixel', spp), E('PhotometricInterpretation', photometric),
           E('Rows', rows), E('Columns', cols), E('BitsAllocated', bits), E('BitsStored', bits),
           E('HighBit', bits - 1), E('PixelRepresentation', 1 if signed else 0)]
    if spp == 3:
        els.append(E('PlanarConfiguration', planar or 0))
    if frames is not None:
        els.append(E('NumberOfFrames', str(frames)))
    if pixel is None:
        if bits == 16:
            pixel = E('PixelData', a.astype('<i2' if signed else '<u2'), 'OW')
        else:
            pixel = E('PixelData', a.astype('u1').tobytes(), vr or 'OB')
    els.append(pixel)
    return els


# SR --------------------------------------------------------------------
def C(v, s, m):
    return code(v, s, m)


CN_OBS_TYPE = C('121005', 'DCM', 'Observer Type')
CD_PERSON = C('121006', 'DCM', 'Person')
CD_DEVICE = C('121007', 'DCM', 'Device')
CN_PON = C('121008', 'DCM', 'Person Observer Name')
CN_PORG = C('121009', 'DCM', "Person Observer's Organization Name")
CN_PROLE = C('121010', 'DCM', "Person Observer's Role in the Organization")
CN_DOUID = C('121012', 'DCM', 'Device Observer UID')
CN_DON = C('121013', 'DCM', 'Device Observer Name')
CN_DOMAN = C('121014', 'DCM', 'Device Observer Manufacturer')
CN_DOMOD = C('121015', 'DCM', 'Device Observer Model Name')
CN_DOSN = C('121016', 'DCM', 'Device Observer Serial Number')
CN_DOLOC = C('121017', 'DCM', 'Device Observer Physical Location During Observation')
CN_TRACK_ID = C('112039', 'DCM', 'Tracking Identifier')
CN_TRACK_UID = C('112040', 'DCM', 'Tracking Unique Identifier')
CN_COMMENT = C('121106', 'DCM', 'Comment')
CN_FINDING = C('121071', 'DCM', 'Finding')
CN_ALGO_NAME = C('111001', 'DCM', 'Algorithm Name')
CN_ALGO_VER = C('111003', 'DCM', 'Algorithm Version')
CN_SUBJ_NAME = C('121029', 'DCM', 'Subject Name')
CN_SUBJ_ID = C('121030', 'DCM', 'Subject ID')
CN_SUBJ_CLASS = C('121024', 'DCM', 'Subject Class')
CN_DATETIME = C('111526', 'DCM', 'DateTime Started')
CN_IMAGE_LIB = C('111028', 'DCM', 'Image Library')


def ci(rel, vt, concept, value=(), children=None, extra=()):
    els = [E('RelationshipType', rel), E('ValueType', vt)]
    if concept is not None:
        els.append(SQ('ConceptNameCodeSequence', [concept]))
    els += list(value) + list(extra)
    if children:
        els.append(SQ('ContentSequence', children))
    return els


def ci_text(rel, concept, text, **kw):
    return ci(rel, 'TEXT', concept, [E('TextValue', text)], **kw)


def ci_code(rel, concept, c, **kw):
    return ci(rel, 'CODE', concept, [SQ('ConceptCodeSequence', [c])], **kw)


def ci_num(rel, concept, v, units, **kw):
    return ci(rel, 'NUM', concept, [SQ('MeasuredValueSequence', [[E('NumericValue', v),
                                     SQ('MeasurementUnitsCodeSequence', [units])]])], **kw)


def ci_pname(rel, concept, pn, **kw):
    return ci(rel, 'PNAME', concept, [E('PersonName', pn)], **kw)


def ci_date(rel, concept, da, **kw):
    return ci(rel, 'DATE', concept, [E('Date', da)], **kw)


def ci_dt(rel, concept, dt, **kw):
    return ci(rel, 'DATETIME', concept, [E('DateTime', dt)], **kw)


def ci_uid(rel, concept, u, **kw):
    return ci(rel, 'UIDREF', concept, [E('UID', u)], **kw)


def ci_image(rel, concept, cls, inst, **kw):
    return ci(rel, 'IMAGE', concept, [SQ('ReferencedSOPSequence', [[E('ReferencedSOPClassUID', cls),
                                                                     E('ReferencedSOPInstanceUID', inst)]])], **kw)


def ci_byref(rel, ids):
    return [E('RelationshipType', rel), E((0x0040, 0xDB73), list(ids), 'UL')]


def ci_container(rel, concept, children, cont='SEPARATE', extra=()):
    return ci(rel, 'CONTAINER', concept, [E('ContinuityOfContent', cont)], children=children, extra=extra)


def person_observer(name_pn, org, role=None):
    items = [ci_code('HAS OBS CONTEXT', CN_OBS_TYPE, CD_PERSON),
             ci_pname('HAS OBS CONTEXT', CN_PON, name_pn)]
    if org is not None:
        items.append(ci_text('HAS OBS CONTEXT', CN_PORG, org))
    if role is not None:
        items.append(ci_code('HAS OBS CONTEXT', CN_PROLE, role))
    return items


def device_observer(uid_, name, manuf, model, serial, location):
    return [ci_code('HAS OBS CONTEXT', CN_OBS_TYPE, CD_DEVICE),
            ci_uid('HAS OBS CONTEXT', CN_DOUID, uid_),
            ci_text('HAS OBS CONTEXT', CN_DON, name),
            ci_text('HAS OBS CONTEXT', CN_DOMAN, manuf),
            ci_text('HAS OBS CONTEXT', CN_DOMOD, model),
            ci_text('HAS OBS CONTEXT', CN_DOSN, serial),
            ci_text('HAS OBS CONTEXT', CN_DOLOC, location)]


def sr_general(content_date, verified_by=None, org=None, extra=()):
    els = [E('ContentDate', content_date), E('ContentTime', '113000'), E('InstanceNumber', '1'),
           E('CompletionFlag', 'COMPLETE'), E('VerificationFlag', 'VERIFIED' if verified_by else 'UNVERIFIED'),
           SQ('PerformedProcedureCodeSequence', [])]
    if verified_by:
        els.append(SQ('VerifyingObserverSequence', [[E('VerifyingObserverName', verified_by),
                                                    SQ('VerifyingObserverIdentificationCodeSequence', []),
                                                    E('VerifyingOrganization', org or ''),
                                                    E('VerificationDateTime', content_date + '120000')]]))
    return els + list(extra)


def sr_root(concept, children, template=None):
    els = [E('ValueType', 'CONTAINER'), SQ('ConceptNameCodeSequence', [concept]),
           E('ContinuityOfContent', 'SEPARATE'), SQ('ContentSequence', children)]
    if template:
        els.append(SQ('ContentTemplateSequence', [[E('MappingResource', 'DCMR'), E('TemplateIdentifier', template)]]))
    return els


# ==========================================================================
# 8. small helpers for builders

FILES = []
ZWSP, SHY, ZWJ, WJ = '\u200b', '\u00ad', '\u200d', '\u2060'


def invis(s, ch=SHY, at=None):
    """Insert an invisible character in the middle of s (after a letter)."""
    at = at or max(2, len(s) // 2)
    return s[:at] + ch + s[at:]


def ac_item(vt, concept, value):
    """Acquisition Context / Quantity Definition style content item (no relationship)."""
    return [E('ValueType', vt), SQ('ConceptNameCodeSequence', [concept])] + list(value)


def greg_to_jd(y, m, d):
    a = (14 - m) // 12
    y2 = y + 4800 - a
    m2 = m + 12 * a - 3
    return d + (153 * m2 + 2) // 5 + 365 * y2 + y2 // 4 - y2 // 100 + y2 // 400 - 32045


HIJRI = ['Muharram', 'Safar', 'Rabi al-Awwal', 'Rabi al-Thani', 'Joumada al-Oula', 'Joumada al-Thania',
         'Rajab', 'Chaabane', 'Ramadan', 'Chawwal', 'Dhou al-Qida', 'Dhou al-Hijja']


def jd_to_islamic(jd):
    l = jd - 1948440 + 10632
    n = (l - 1) // 10631
    l = l - 10631 * n + 354
    j = ((10985 - l) // 5316) * ((50 * l) // 17719) + (l // 5670) * ((43 * l) // 15238)
    l = l - ((30 - j) // 15) * ((17719 * j) // 50) - (j // 16) * ((15238 * j) // 43) + 29
    m = (24 * l) // 709
    d = l - (709 * m) // 24
    y = 30 * n + j - 30
    return y, m, d


def date_custom(dt, form):
    """A localized written form of a Date identifier (adds a text needle)."""
    dt.add_needle('text', norm(form))
    return dt.use(form)


def era_jp(y, m, d):
    if (y, m, d) >= (2019, 5, 1):
        return '令和', y - 2018
    if (y, m, d) >= (1989, 1, 8):
        return '平成', y - 1988
    return '昭和', y - 1925


RU_MONTHS = ['января', 'февраля', 'марта', 'апреля', 'мая', 'июня', 'июля', 'августа', 'сентября',
             'октября', 'ноября', 'декабря']
EL_MONTHS = ['Ιανουαρίου', 'Φεβρουαρίου', 'Μαρτίου', 'Απριλίου', 'Μαΐου', 'Ιουνίου', 'Ιουλίου',
             'Αυγούστου', 'Σεπτεμβρίου', 'Οκτωβρίου', 'Νοεμβρίου', 'Δεκεμβρίου']
PL_MONTHS = ['stycznia', 'lutego', 'marca', 'kwietnia', 'maja', 'czerwca', 'lipca', 'sierpnia', 'września',
             'października', 'listopada', 'grudnia']


def jis_encode(s, ret=b'\x1b(J'):
    """ISO 2022 IR 13 (first) + IR 87 + IR 159, PS3.5 Annex H style
    (ret: the escape back to the initial G0: ESC ( J after IR 13, ESC ( B after IR 6)."""
    out = b''
    g0 = 'roman'
    for ch in s:
        if ord(ch) < 0x80:
            if g0 != 'roman':
                out += ret
                g0 = 'roman'
            out += ch.encode('ascii')
        elif 0xff61 <= ord(ch) <= 0xff9f:
            if g0 != 'roman':
                out += ret
                g0 = 'roman'
            out += bytes([ord(ch) - 0xff61 + 0xa1])
        else:
            try:
                b = ch.encode('iso2022_jp')
                cs, pair = '208', b[3:5]
            except UnicodeEncodeError:
                b = ch.encode('iso2022_jp_2')
                assert b.startswith(b'\x1b$(D'), ch
                cs, pair = '212', b[4:6]
            if g0 != cs:
                out += b'\x1b$B' if cs == '208' else b'\x1b$(D'
                g0 = cs
            out += pair
    if g0 != 'roman':
        out += ret
    return out


def ks_encode(s):
    """ISO 2022 IR 149: ESC $ ) C before each component holding Korean."""
    comps = re.split(r'([\^=\\])', s)
    out = b''
    for c in comps:
        if any(ord(x) > 0x7f for x in c):
            out += b'\x1b$)C' + c.encode('euc_kr')
        else:
            out += c.encode('ascii')
    return out


def greek_encode(s):
    """ISO 2022 IR 126 as G1 (ESC - F before each Greek run)."""
    out = b''
    for m in re.finditer(r'[\u0370-\u03ff\u1f00-\u1fff]+|[^\u0370-\u03ff\u1f00-\u1fff]+', s):
        t = m.group(0)
        if ord(t[0]) >= 0x370:
            out += b'\x1b-F' + t.encode('iso8859_7')
        else:
            out += t.encode('latin-1')
    return out


def jis_needles(ident, text_forms):
    for t in text_forms:
        ident.add_needle('text', norm(t))


def greek_encode2(s):
    """ISO 2022 IR 100 (first, G1) + IR 126: ESC - F before Greek runs, ESC - A
    back to Latin-1 before non-ASCII Latin, before ^ = \\ and at the end."""
    out = b''
    g1 = 'A'
    for ch in s:
        if '\u0370' <= ch <= '\u03ff':
            if g1 != 'F':
                out += b'\x1b-F'
                g1 = 'F'
            out += ch.encode('iso8859_7')
        else:
            if g1 != 'A' and (ord(ch) > 0x7f or ch in '^=\\'):
                out += b'\x1b-A'
                g1 = 'A'
            out += ch.encode('latin-1')
    if g1 != 'A':
        out += b'\x1b-A'
    return out


# ==========================================================================
# 9. builders

SOP = {
    'OP8': '1.2.840.10008.5.1.4.1.1.77.1.5.1', 'OPT': '1.2.840.10008.5.1.4.1.1.77.1.5.4',
    'DERM': '1.2.840.10008.5.1.4.1.1.77.1.7', 'VLPHOTO': '1.2.840.10008.5.1.4.1.1.77.1.4',
    'MGP': '1.2.840.10008.5.1.4.1.1.1.2', 'MGCAD': '1.2.840.10008.5.1.4.1.1.88.50',
    'USMF': '1.2.840.10008.5.1.4.1.1.3.1', 'US': '1.2.840.10008.5.1.4.1.1.6.1',
    'KOS': '1.2.840.10008.5.1.4.1.1.88.59', 'C3DSR': '1.2.840.10008.5.1.4.1.1.88.34',
    'CSR': '1.2.840.10008.5.1.4.1.1.88.33', 'BTSR': '1.2.840.10008.5.1.4.1.1.88.11',
    'PLOG': '1.2.840.10008.5.1.4.1.1.88.40', 'RTION': '1.2.840.10008.5.1.4.1.1.481.8',
    'RTREC': '1.2.840.10008.5.1.4.1.1.481.4', 'RTIMG': '1.2.840.10008.5.1.4.1.1.481.1',
    'REG': '1.2.840.10008.5.1.4.1.1.66.1', 'FID': '1.2.840.10008.5.1.4.1.1.66.2',
    'DREG': '1.2.840.10008.5.1.4.1.1.66.3', 'SEG': '1.2.840.10008.5.1.4.1.1.66.4',
    'SSEG': '1.2.840.10008.5.1.4.1.1.66.5', 'RAW': '1.2.840.10008.5.1.4.1.1.66',
    'PMAP': '1.2.840.10008.5.1.4.1.1.30', 'RWVM': '1.2.840.10008.5.1.4.1.1.67',
    'HP': '1.2.840.10008.5.1.4.38.1', 'PAL': '1.2.840.10008.5.1.4.39.1',
    'ECG': '1.2.840.10008.5.1.4.1.1.9.1.1', 'HEMO': '1.2.840.10008.5.1.4.1.1.9.2.1',
    'STL': '1.2.840.10008.5.1.4.1.1.104.3', 'OBJ': '1.2.840.10008.5.1.4.1.1.104.4',
    'MTL': '1.2.840.10008.5.1.4.1.1.104.5', 'SC': '1.2.840.10008.5.1.4.1.1.7',
    'SCMF8': '1.2.840.10008.5.1.4.1.1.7.2', 'CT': '1.2.840.10008.5.1.4.1.1.2',
    'MR': '1.2.840.10008.5.1.4.1.1.4', 'CR': '1.2.840.10008.5.1.4.1.1.1',
    'DX': '1.2.840.10008.5.1.4.1.1.1.1', 'NM': '1.2.840.10008.5.1.4.1.1.20',
    'XA': '1.2.840.10008.5.1.4.1.1.12.1', 'GSPS': '1.2.840.10008.5.1.4.1.1.11.1',
}


class Builder:
    def __init__(self, cast, outdir, tmp):
        self.c = cast
        self.out = outdir
        self.tmp = tmp
        self.P = {}
        self.S = {}

    def begin(self, rel, uses=()):
        REG.cur = rel
        pend, REG.pending = REG.pending, []
        for ident, form in pend:
            ident.use(form)
        for ident, form in uses:
            ident.use(form)
        return rel

    def emit(self, rel, elems, ts, note, **kw):
        path = os.path.join(self.out, 'corpus', rel)
        write_dicom(path, elems, ts, **kw)
        sc = [e.value for e in elems if e.tag == 0x00080016][0]
        FILES.append({'path': rel, 'sop_class': sc, 'transfer_syntax': ts, 'note': note})
        REG.cur = None
        assert not REG.pending, [i.id for i, f in REG.pending]

    # ------------------------------------------------------------------
    def f01_fundus(self):
        c = self.c
        inst = c.inst(7)
        pc = c.patient('F')
        self.P['oph'] = pc
        pc.addr = c.address('P%02d' % pc.k)
        pc.phone = c.phone('P%02d' % pc.k, mobile=True)
        dept = c.dept()
        st1, st2, st3, st4, ref = c.staff(), c.staff(), c.staff(), c.staff(), c.staff()
        rel_ = c.relative('F')
        exam = c.date('exam', 2021, 2023)
        cal = c.date('calibration', 2019, 2022)
        s_body, s_lens, s_dev = c.serial('SN'), c.serial('LS'), c.serial('RC')
        study = Study(c, pc, exam, ref)
        self.S['oph'] = study
        folder = '%s_%s_%s' % (pc.name.up_raw(), fold(pc.name.given).upper(), pc.ipp.value)
        self.oph_folder = folder
        rel = self.begin('%s/retino/OP_fundus_OD.dcm' % folder, [(pc.name, pc.name.up_raw()), (pc.ipp, pc.ipp.value)])
        a = burn_text(gradient(96, 96, 1, rgb=True), 'OD')
        # Exif (IFD0 + Exif IFD + GPS IFD + IFD1 thumbnail with its own COM)
        thumb = jpeg_insert(jpeg_baseline(gradient(16, 16, 2, rgb=True), 70),
                            [seg(0xFE, ('IPP %s' % pc.ipp()).encode())])
        T = Tiff
        ifd0 = [(0x010E, T.ASCII, "Fond d'oeil OD - %s, ne(e) le %s" % (fold(pc.name.txt(6)).upper(), pc.dob.f('slash'))),
                (0x010F, T.ASCII, 'Occulix'), (0x0110, T.ASCII, 'RetinaCam 700'),
                (0x0132, T.ASCII, exam.f('exif') + ' 10:22:11'),
                (0x013B, T.ASCII, fold(st1.txt(1))),
                (0x8298, T.ASCII, '(c) ' + fold(inst())),
                (0x9C9D, T.BYTE, xp(st2.txt(0)))]
        exif = [(0x9003, T.ASCII, exam.f('exif') + ' 10:22:11'),
                (0x9286, T.UNDEF, b'UNICODE\0' + ('Patiente joignable au %s' % pc.phone.f(2)).encode('utf-16-le')),
                (0x927C, T.UNDEF, b'OCCX\0\x01' + ('op=%s;pid=%s' % (fold(st1.txt(7)), pc.ipp())).encode()),
                (0xA430, T.ASCII, fold(dept())), (0xA431, T.ASCII, s_body()), (0xA435, T.ASCII, s_lens())]
        gps = [(0x001C, T.UNDEF, b'ASCII\0\0\0' + fold(pc.addr()).encode()),
               (0x001D, T.ASCII, exam.f('exif'))]
        tiff = T().build(ifd0, exif, gps, ifd1=[(0x0103, T.SHORT, 6)], thumb=thumb)
        xmp = xmp_packet(['<dc:creator><rdf:Seq><rdf:li>%s</rdf:li></rdf:Seq></dc:creator>' % html.escape(st3.txt(0)),
                          '<dc:description><rdf:Alt><rdf:li xml:lang="x-default">Examen %s</rdf:li></rdf:Alt></dc:description>' % study.acc(),
                          '<Iptc4xmpCore:Location>%s</Iptc4xmpCore:Location>' % html.escape(pc.addr()),
                          '<xmp:CreateDate>%sT10:22:11+01:00</xmp:CreateDate>' % exam.f('iso')])
        icc = icc_profile('Etalonnage %s par %s le %s' % (s_dev(), fold(st4.txt(2)), cal.f('slash')),
                          'Copyright %s' % fold(inst()), dmnd=fold(dept()))
        iptc = iptc_app13([(2, 80, st1.txt(0)), (2, 120, 'NIR %s' % pc.nir(
            ' '.join([pc.nir.value[0], pc.nir.value[1:3], pc.nir.value[3:5], pc.nir.value[5:7],
                      pc.nir.value[7:10], pc.nir.value[10:13], pc.nir.value[13:]]))), (2, 55, exam.da())])
        j = jpeg_baseline(a)
        j = jpeg_insert(j, [seg(0xE1, b'Exif\0\0' + tiff), seg(0xE1, b'http://ns.adobe.com/xap/1.0/\0' + xmp),
                            seg(0xE2, b'ICC_PROFILE\0\x01\x01' + icc), seg(0xED, iptc)])
        els = sop(SOP['OP8'], uid(5), 'ISO_IR 100') + patient(pc) + study.elems() + series('OP', 1) + equipment(
            'Occulix', 'RetinaCam 700', [E('SoftwareVersions', 'RCam 4.2.1 - licence %s' % inst()),
                                         E('DeviceSerialNumber', s_dev())])
        els += [E('ImageType', ['ORIGINAL', 'PRIMARY']), E('InstanceNumber', '1'), E('PatientOrientation', ['L', 'F']),
                E('ContentDate', exam.da()), E('ContentTime', '102211'), E('AcquisitionDateTime', exam.dt(10, 22, 11)),
                E('LossyImageCompression', '01'), E('LossyImageCompressionMethod', 'ISO_10918_1'),
                E('BurnedInAnnotation', 'NO'), E('ImageLaterality', 'R'),
                SQ('AnatomicRegionSequence', [code('81745001', 'SCT', 'Eye')]),
                SQ('AcquisitionDeviceTypeCodeSequence', [code('409898007', 'SCT', 'Fundus Camera')]),
                SQ('IlluminationTypeCodeSequence', []), SQ('LightPathFilterTypeStackCodeSequence', []),
                SQ('LensesCodeSequence', []), E('PatientEyeMovementCommanded', 'NO'),
                E('HorizontalFieldOfView', 45.0, 'FL'), E('PupilDilated', 'YES'),
                SQ('AcquisitionContextSequence', [ac_item('TEXT', code('121106', 'DCM', 'Comment'), [
                    E('TextValue', 'Examen réalisé en présence de sa fille %s' % rel_.txt(0))])])]
        els += image_pixel(a, 'YBR_FULL_422', pixel=E('PixelData', Encap([j]), 'OB'))
        self.emit(rel, els, TS_JPEG_BASE, 'Ophthalmic Photography 8 bit, JPEG baseline: Exif (IFD0, Exif IFD, GPS, '
                  'UTF-16 XP tags, MakerNote, IFD1 thumbnail with COM), XMP, ICC desc/cprt/dmnd, IPTC APP13; '
                  'identifiers in the folder name; Software Versions; Acquisition Context')

    def f02_oct(self):
        c = self.c
        pc, study = self.P['oph'], self.S['oph']
        inst = c.inst(7)
        st5, st6 = c.staff(), c.staff()
        prev = c.date('exam-prior', 2018, 2020)
        dept = c.dept()
        rel = self.begin('%s/oct/OPT_macula.dcm' % self.oph_folder, [(pc.name, pc.name.up_raw()), (pc.ipp, pc.ipp.value)])
        frames = []
        for k in range(3):
            cs = j2k_codestream(gradient(64, 64, 10 + k))
            if k == 0:
                cs = j2k_insert_com(cs, main_com=('Operator: %s' % fold(st6.txt(0))).encode())
            elif k == 1:
                cs = j2k_insert_com(cs, tile_com=('PID=%s;DOB=%s' % (pc.ipp(), pc.dob.f('iso'))).encode())
            else:
                cs = j2k_insert_com(cs, main_com=('%s / %s' % (fold(inst()), fold(dept()))).encode(),
                                    tile_com=b'frame 3')
            frames.append(cs)
        url = c.url(inst, '/wado?requestType=WADO&patientID=%s&contentType=image/jpeg' % pc.ipp())
        per_frame = []
        labels = ['Coupe foveale %s' % pc.name.up(), 'Valide %s' % fold(st5.txt(2)), 'Balayage 3']
        for k in range(3):
            fc = [E('FrameReferenceDateTime', study.date.dt(10, 30, k)), E('FrameLabel', labels[k]),
                  E('DimensionIndexValues', [k + 1], 'UL')]
            if k == 2:
                fc.append(E('FrameComments', 'Comparer avec OCT du %s' % prev.f('slash')))
            per_frame.append([SQ('FrameContentSequence', [fc]),
                              SQ('PlanePositionSequence', [[E('ImagePositionPatient', [0, 0, k * 0.1])]])])
        dim_uid = uid(6)
        els = sop(SOP['OPT'], uid(5), 'ISO_IR 100') + patient(pc, 1) + study.elems() + series('OPT', 2) + equipment(
            'Occulix', 'Spectra OCT')
        els += [E('ImageType', ['ORIGINAL', 'PRIMARY']), E('InstanceNumber', '1'),
                E('ContentDate', study.date.da()), E('ContentTime', '103000'),
                E('AcquisitionDateTime', study.date.dt(10, 30, 0)), E('ImageLaterality', 'R'),
                E('AcquisitionDeviceProcessingDescription', 'Moyenne 16 scans, operateur %s' % st6.up()),
                E('LossyImageCompression', '00'), E('BurnedInAnnotation', 'NO'), E('PresentationLUTShape', 'IDENTITY'),
                SQ('DimensionOrganizationSequence', [[E('DimensionOrganizationUID', dim_uid)]]),
                SQ('DimensionIndexSequence', [[E('DimensionOrganizationUID', dim_uid),
                                                E('DimensionIndexPointer', 0x00209157, 'AT'),
                                                E('FunctionalGroupPointer', 0x00209111, 'AT'),
                                                E('DimensionDescriptionLabel', 'Balayage du %s' % study.date.f('fr'))]]),
                SQ('SharedFunctionalGroupsSequence', [[SQ('PixelMeasuresSequence', [[E('PixelSpacing', [0.01, 0.01]),
                                                                                      E('SliceThickness', 0.1)]])]]),
                SQ('PerFrameFunctionalGroupsSequence', per_frame),
                SQ('ReferencedPatientPhotoSequence', [[E('StudyInstanceUID', uid(3)),
                                                       SQ('ReferencedSeriesSequence', [[E('SeriesInstanceUID', uid(4)),
                                                          SQ('ReferencedSOPSequence', [[E('ReferencedSOPClassUID', SOP['VLPHOTO']),
                                                                                         E('ReferencedSOPInstanceUID', uid(5))]])]]),
                                                       E('RetrieveURL', url())]]),
                SQ('AnatomicRegionSequence', [code('81745001', 'SCT', 'Eye')]),
                SQ('AcquisitionDeviceTypeCodeSequence', [code('392012008', 'SCT', 'Optical Coherence Tomography Scanner')])]
        els += image_pixel(np.zeros((3, 64, 64), np.uint8), frames=3,
                           pixel=E('PixelData', Encap(frames), 'OB'))
        self.emit(rel, els, TS_J2K_LL, 'Ophthalmic Tomography multi-frame, JPEG 2000 lossless: COM marker in main '
                  'header and in tile-part headers; Frame Label / Frame Comments / Dimension Description Label; '
                  'Referenced Patient Photo Sequence with Retrieve URL')

    def f03_dermoscopy(self):
        c = self.c
        inst = c.inst(10)
        pc = c.patient('F', 'Benhamdoune', ['Benhamdoune'], 'Naïma')
        self.P['derm'] = pc
        pc.addr = c.address('P%02d' % pc.k)
        st7, st8, st9, st10 = c.staff(), c.staff(), c.staff(), c.staff()
        rel_ = c.relative('M')
        exam = c.date('exam', 2020, 2023)
        noticed = c.date('event', 2019, 2020)
        s_body = c.serial('DS')
        dept = c.dept()
        study = Study(c, pc, exam, st9)
        self.S['derm'] = study
        rel = self.begin('dermato/%s/DERM_0001.dcm' % exam.value, [(exam, exam.value)])
        a = gradient(80, 80, 3, rgb=True)
        T = Tiff
        y, m, d = jd_to_islamic(greg_to_jd(pc.dob.y, pc.dob.m, pc.dob.d))
        alt = '%d %s %d' % (d, HIJRI[m - 1], y)
        ifd0 = [(0x013B, T.ASCII, fold(st7.txt(0))),
                (0x9C9F, T.BYTE, xp('Naevus dos - %s' % pc.name.txt(3))),
                (0x9C9C, T.BYTE, xp('Adresse: %s' % pc.addr()))]
        exif = [(0x927C, T.UNDEF, b'DERMX\0' + ('sn=%s' % s_body()).encode()), (0xA431, T.ASCII, s_body())]
        tiff = T().build(ifd0, exif)
        icc = icc_profile('Profil %s - %s' % (dept(), st8.txt(0)), 'Libre de droits', v4=True)
        j = jpeg_insert(jpeg_baseline(a), [seg(0xE1, b'Exif\0\0' + tiff), seg(0xE2, b'ICC_PROFILE\0\x01\x01' + icc)])
        els = sop(SOP['DERM'], uid(5), 'ISO_IR 192') + patient(pc, 1, [
            E((0x0010, 0x0033), date_custom(pc.dob, alt), 'LO'), E((0x0010, 0x0035), 'I', 'CS')]) + study.elems()
        els += series('XC', 1) + equipment('Dermacorp', 'DermaScope 3')
        els += [E('ImageType', ['ORIGINAL', 'PRIMARY']), E('InstanceNumber', '1'), E('PatientOrientation', ''),
                E('ContentDate', exam.da()), E('ContentTime', '091500'), E('AcquisitionDateTime', exam.dt(9, 15)),
                E('LossyImageCompression', '01'), E('LossyImageCompressionMethod', 'ISO_10918_1'),
                E('BurnedInAnnotation', 'NO'), E('RecognizableVisualFeatures', 'NO'),
                SQ('AnatomicRegionSequence', [code('123961009', 'SCT', 'Back') + [
                    SQ('AnatomicRegionModifierSequence', [code('L3', '99KERDERM', 'Lesion n°3 suivie par Dr %s' % st9.surname)])]]),
                SQ('AcquisitionContextSequence', [
                    ac_item('TEXT', code('LH', '99KERDERM', 'Lesion history'), [
                        E('TextValue', 'Signalée par son conjoint %s le %s' % (rel_.txt(1), noticed.f('fr')))]),
                    ac_item('DATE', code('111722', 'DCM', 'Date first noticed'), [E('Date', noticed.da())]),
                    ac_item('PNAME', code('PH', '99KERDERM', 'Photographer'), [E('PersonName', st10.pn(2))])])]
        pc.name.use(pc.name.surname)
        els += image_pixel(a, 'YBR_FULL_422', pixel=E('PixelData', Encap([j]), 'OB'))
        self.emit(rel, els, TS_JPEG_BASE, 'Dermoscopic Photography, JPEG baseline: Exif Artist/XPSubject/XPComment '
                  '(UTF-16LE)/MakerNote/BodySerialNumber, ICC v4 mluc (UTF-16BE); birth date in alternative '
                  '(Hijri) calendar; Acquisition Context; Anatomic Region Modifier code meaning')

    def f04_vlphoto(self):
        c = self.c
        pc, study = self.P['derm'], self.S['derm']
        inst = c.inst(10)
        st11, st12 = c.staff(), c.staff()
        pc.phone = c.phone('P%02d' % pc.k, mobile=True)
        s_cam, s_lens = c.serial('CAM'), c.serial('LNS')
        rel = self.begin('dermato/%s/VL_0002.dcm' % study.date.value, [(study.date, study.date.value)])
        a = gradient(64, 64, 4, rgb=True)
        xml = ('<?xml version="1.0" encoding="UTF-8"?><dicomMeta><patient>%s</patient><ipp>%s</ipp>'
               '<phone>%s</phone><photographer>%s</photographer></dicomMeta>') % (
            html.escape(pc.name.txt(0)), pc.ipp(), pc.phone.f(5), html.escape(st11.txt(1)))
        xmp = xmp_packet(['<dc:creator><rdf:Seq><rdf:li>%s</rdf:li></rdf:Seq></dc:creator>' % html.escape(st12.txt(0)),
                          '<xmp:CreateDate>%sT09:40:00</xmp:CreateDate>' % study.date.f('iso')])
        uuid_xmp = bytes.fromhex('be7acfcb97a942e89c71999491e3afac')
        jp2 = jp2_wrap(a, [(b'xml ', xml.encode('utf-8')), (b'uuid', uuid_xmp + xmp),
                           (b'jp2i', ('Photo %s - usage interne' % inst()).encode('utf-8'))],
                       com=('Camera %s' % s_cam()).encode())
        els = sop(SOP['VLPHOTO'], uid(5), 'ISO_IR 192') + patient(pc, 3) + study.elems() + series('XC', 2)
        els += equipment('Fotonika', 'FX-20', [E('DeviceSerialNumber', s_cam())])
        els += [E('ImageType', ['ORIGINAL', 'PRIMARY']), E('InstanceNumber', '1'), E('PatientOrientation', ''),
                E('ContentDate', study.date.da()), E('ContentTime', '094000'),
                E('LossyImageCompression', '01'), E('LossyImageCompressionMethod', 'ISO_15444_1'),
                E('BurnedInAnnotation', 'NO'), E((0x0016, 0x0051), s_lens(), 'UT'),
                SQ('AnatomicRegionSequence', [code('123961009', 'SCT', 'Back')])]
        els += image_pixel(a, 'YBR_ICT', pixel=E('PixelData', Encap([jp2]), 'OB'))
        self.emit(rel, els, TS_J2K, 'VL Photographic, JPEG 2000 as a JP2 file: xml box, uuid (XMP) box, jp2i box, '
                  'codestream COM; Lens Serial Number')

    def f05_mammo(self):
        c = self.c
        inst = c.inst(5)
        pc = c.patient('F')
        self.P['mg'] = pc
        st = [c.staff() for _ in range(5)]
        exam = c.date('exam', 2021, 2023)
        repl = c.date('maintenance', 2019, 2021)
        s_det = c.serial('DET')
        study = Study(c, pc, exam, st[0])
        study.desc = 'Mammographie de dépistage du %s' % exam.f('spelled')
        self.S['mg'] = study
        ph = c.phone('S%02d' % st[0].k, mobile=True)
        rel = self.begin('senologie/MG_RCC.dcm')
        a = (gradient(80, 64, 5).astype(np.uint16) * 40)
        ov = np.zeros((80, 64), np.uint8)
        ov[10:20, 10:30] = 1
        ovbits = np.packbits(ov.reshape(-1), bitorder='little').tobytes()
        curve = np.arange(20, dtype=np.uint16)
        els = sop(SOP['MGP'], uid(5), 'ISO_IR 100') + patient(pc) + study.elems() + series('MG', 1) + equipment(
            'Mammotek', 'MT-5000', [E('InstitutionName', inst()), E('DetectorID', s_det()),
                                    E('DetectorManufacturerName', 'Mammotek'),
                                    E('DetectorDescription', 'Capteur %s remplacé le %s par %s (astreinte %s)' % (
                                        s_det(), repl.f('fr'), st[1].txt(0), ph.f(3)))])
        els += [E('ImageType', ['ORIGINAL', 'PRIMARY', '']), E('InstanceNumber', '1'),
                E('PatientOrientation', ['A', 'R']), E('ContentDate', exam.da()), E('ContentTime', '083000'),
                E('PresentationIntentType', 'FOR PRESENTATION'), E('BurnedInAnnotation', 'NO'),
                E('ImageLaterality', 'R'), E('BreastImplantPresent', 'NO'), E('PartialView', 'YES'),
                E('PartialViewDescription', 'Cliché complémentaire demandé par %s' % st[2].txt(1)),
                SQ('ViewCodeSequence', [code('399162004', 'SCT', 'cranio-caudal') + [
                    SQ('ViewModifierCodeSequence', [code('AGR', '99MAMMO', 'Agrandissement Dr %s' % st[3].use(st[3].surname))])]]),
                SQ('AnatomicRegionSequence', [code('76752008', 'SCT', 'Breast')]),
                E('WindowCenter', [2000, 2500]), E('WindowWidth', [4000, 3000]),
                E('WindowCenterWidthExplanation', ['STANDARD', 'PRESET %s' % st[4].up()]),
                E('PresentationLUTShape', 'IDENTITY'), E('RescaleIntercept', 0), E('RescaleSlope', 1),
                E('RescaleType', 'US'), E('LossyImageCompression', '00'),
                E((0x6000, 0x0010), 80, 'US'), E((0x6000, 0x0011), 64, 'US'), E((0x6000, 0x0022),
                                                                                  'Annotations %s %s' % (st[1].txt(2), exam.f('slash')), 'LO'),
                E((0x6000, 0x0040), 'G', 'CS'), E((0x6000, 0x0050), [1, 1], 'SS'), E((0x6000, 0x0100), 1, 'US'),
                E((0x6000, 0x0102), 0, 'US'), E((0x6000, 0x1500), 'CAD %s' % pc.name.up(), 'LO'),
                E((0x6000, 0x3000), ovbits, 'OW'),
                E((0x5000, 0x0005), 1, 'US'), E((0x5000, 0x0010), 20, 'US'), E((0x5000, 0x0020), 'TAC', 'CS'),
                E((0x5000, 0x0022), 'Courbe %s' % pc.name.txt(3), 'LO'), E((0x5000, 0x0103), 0, 'US'),
                E((0x5000, 0x2500), inst(), 'LO'), E((0x5000, 0x3000), curve.tobytes(), 'OW')]
        els += image_pixel(a, bits=16)
        self.emit(rel, els, TS_BIG, 'Digital Mammography for presentation, explicit VR big endian: Detector '
                  'Description, Partial View Description, View Modifier code meaning, Window explanation, '
                  'overlay Description/Label, retired curve group (Curve Description/Label)')

    def f06_mgcad(self):
        c = self.c
        pc, study = self.P['mg'], self.S['mg']
        inst = c.inst(5)
        st = [c.staff() for _ in range(4)]
        s_cad = c.serial('CAD')
        dept = c.dept()
        fin = c.finess(inst)
        prior = c.date('exam-prior', 2018, 2020)
        rel = self.begin('senologie/CAD_SR.dcm')
        img_uid = uid(5)
        ord_id = c.other_id('order-placer-id', 9)
        ret_url = c.url(inst, '/wado-rs/studies/%s?PatientID=%s' % (study.uid, pc.ipp()))
        tracking_uid = '1.2.250.1.%s.7.%s' % (pc.nir(pc.nir.value[:13]), study.date.da())
        content = device_observer('1.2.250.1.%s.3.7' % fin(), 'CAD-%s' % inst.ae(16), 'Mammotek CAD', 'MCAD 9',
                                  s_cad(), 'Salle 2, %s' % dept()) + \
            person_observer(invis(st[0].pn(0), ZWSP, 4), invis(inst(), SHY, 8)) + [
            ci_container('CONTAINS', CN_IMAGE_LIB, [ci_image('CONTAINS', None, SOP['MGP'], img_uid)]),
            ci_container('CONTAINS', C('111064', 'DCM', 'Summary of Detections'), [
                ci_code('CONTAINS', C('111064', 'DCM', 'Summary of Detections'), C('111222', 'DCM', 'Succeeded'))]),
            ci_container('CONTAINS', C('111017', 'DCM', 'CAD Processing and Findings Summary'), [
                ci_container('CONTAINS', C('111059', 'DCM', 'Single Image Finding'), [
                    ci_text('HAS PROPERTIES', CN_TRACK_ID, 'Opacité QSE - %s' % invis(pc.name.up(), SHY, 3)),
                    ci_uid('HAS PROPERTIES', CN_TRACK_UID, tracking_uid),
                    ci_text('HAS PROPERTIES', CN_ALGO_NAME, 'KerScan (%s)' % st[1].txt(2)),
                    ci_text('HAS PROPERTIES', CN_ALGO_VER, '9.1'),
                    ci_text('HAS PROPERTIES', CN_COMMENT, 'Comparé à l\u2019examen du %s, relu par %s' % (
                        prior.f('frj'), invis(st[2].txt(1), ZWJ, 5)))])])]
        pc.name.add_needle('text', norm(pc.name.up()))
        study.date.use(study.date.da())
        els = sop(SOP['MGCAD'], uid(5), 'ISO_IR 192') + patient(pc, 2) + study.elems() + series('SR', 10)
        els += equipment('Mammotek', 'MCAD 9') + sr_general(study.date.da(), st[3].pn(2), inst())
        els += [SQ('ReferencedRequestSequence', [[
            E('StudyInstanceUID', study.uid), E('AccessionNumber', study.acc()),
            SQ('IssuerOfAccessionNumberSequence', [[E('LocalNamespaceEntityID', 'RIS %s' % inst(inst.core)),
                                                    E('UniversalEntityID', '1.2.250.1.71.4.%s' % fin()),
                                                    E('UniversalEntityIDType', 'ISO')]]),
            E('PlacerOrderNumberImagingServiceRequest', ord_id()),
            SQ('OrderPlacerIdentifierSequence', [[E('LocalNamespaceEntityID', 'DPI %s - %s' % (inst(inst.core), dept()))]]),
            E('RequestedProcedureDescription', 'Mammographie bilatérale'),
            SQ('RequestedProcedureCodeSequence', [code('MAMMO2', '99%s' % inst.ae(6),
                                                       'Mammo bilat. prescrite par Dr %s' % st[0].surname)]),
            E('RequestedProcedureID', 'RP%s' % study.acc())]]),
            SQ('CurrentRequestedProcedureEvidenceSequence', [[
                E('StudyInstanceUID', study.uid),
                SQ('ReferencedSeriesSequence', [[E('SeriesInstanceUID', uid(4)), E('RetrieveURL', ret_url()),
                                                 SQ('ReferencedSOPSequence', [[E('ReferencedSOPClassUID', SOP['MGP']),
                                                                                E('ReferencedSOPInstanceUID', img_uid)]])]])]])]
        els += sr_root(C('111036', 'DCM', 'Mammography CAD Report'), content, '4000')
        self.emit(rel, els, TS_EXPLICIT, 'Mammography CAD SR (UTF-8): device and person observer context, '
                  'Tracking Identifier/UID (UID carries the NIR), Algorithm Name, soft-hyphen/zero-width inside '
                  'names, Referenced Request Sequence (Issuer of Accession Number, Order Placer Identifier, '
                  'Requested Procedure Code), evidence Retrieve URL')

    def f07_us_multiframe(self):
        c = self.c
        inst = c.inst(9)
        pc = c.patient('F')
        self.P['us'] = pc
        st = [c.staff() for _ in range(3)]
        exam = c.date('exam', 2022, 2023)
        s_probe = c.serial('C51')
        study = Study(c, pc, exam, st[0])
        self.S['us'] = study
        birth = Person('P%02d.birthname' % pc.k, 'patient-name', c.rnames.pop(), pc.name.given)
        rel = self.begin('maternite/echo_T2/US_cine.dcm')
        frames = []
        for k in range(3):
            a = burn_text(gradient(48, 64, 20 + k, rgb=True), 'Mme %s' % fold(pc.name.surname)[:6])
            j = jpeg_baseline(a, 85)
            if k == 0:
                j = jpeg_insert(j, [seg(0xFE, b'Echo T2 - coupe 1')])
            elif k == 1:
                j = jpeg_insert(j, [seg(0xFE, ('Pt: %s DDN %s' % (fold(pc.name.txt(3)), pc.dob.f('dot'))).encode())])
            else:
                j = j + ('Examen %s' % study.acc()).encode()
            frames.append(j)
        icon = gradient(16, 16, 7, rgb=True)
        icc = icc_profile('Vignette %s' % fold(pc.name.txt(0)), 'none')
        els = sop(SOP['USMF'], uid(5), 'ISO_IR 100') + patient(pc, 1, [E('PatientBirthName', birth.pn(0))])
        els += study.elems() + series('US', 1) + equipment('Sonavia', 'SV-8', [E('InstitutionName', inst())])
        els += [E('ImageType', ['ORIGINAL', 'PRIMARY', 'ABDOMINAL', '0001']), E('InstanceNumber', '1'),
                E('ContentDate', exam.da()), E('ContentTime', '141000'), E('BurnedInAnnotation', 'NO'),
                E('LossyImageCompression', '01'), E('FrameTime', 40.0), E('FrameIncrementPointer', 0x00181063, 'AT'),
                E('TransducerData', ['C5-1', 's/n %s' % s_probe()]),
                E('ProcessingFunction', 'Obst - preset %s' % st[1].txt(2)),
                SQ('PerformedProtocolCodeSequence', [code('ECHO-T2', '99TREOUV', 'Echo T2 - protocole %s' % st[2].txt(5))]),
                SQ('SequenceOfUltrasoundRegions', [[E('RegionSpatialFormat', 1), E('RegionDataType', 1), E('RegionFlags', 0),
                                                     E('RegionLocationMinX0', 0), E('RegionLocationMinY0', 0),
                                                     E('RegionLocationMaxX1', 63), E('RegionLocationMaxY1', 47),
                                                     E('PhysicalUnitsXDirection', 3), E('PhysicalUnitsYDirection', 3),
                                                     E('PhysicalDeltaX', 0.02), E('PhysicalDeltaY', 0.02)]]),
                SQ('IconImageSequence', [image_pixel(icon, 'RGB') + [E('ICCProfile', icc, 'OB')]])]
        els += image_pixel(np.zeros((3, 48, 64, 3), np.uint8), 'YBR_FULL_422', frames=3,
                           pixel=E('PixelData', Encap(frames), 'OB'))
        self.emit(rel, els, TS_JPEG_BASE, 'US multi-frame, JPEG baseline per frame: COM segments, bytes after EOI; '
                  'Burned In Annotation wrongly NO (pixels carry text, not counted); Transducer Data, Processing '
                  'Function, Performed Protocol code meaning; Icon Image with an ICC profile; Patient Birth Name')

    def f08_us_rle(self):
        c = self.c
        pc, study = self.P['us'], self.S['us']
        inst = c.inst(9)
        inst2 = c.inst(0)
        st = [c.staff() for _ in range(3)]
        rel_ = c.relative('F')
        rph = c.phone('R%02d' % int(rel_.id[1:3]), mobile=True)
        dept = c.dept()
        nda = c.nda(pc)
        sched = c.date('scheduled', 2022, 2023)
        admit = c.date('admission', 2022, 2023)
        rel = self.begin('maternite/echo_T3/US_0001.dcm')
        a = gradient(64, 64, 30)
        frame = rle_frame(a, trailer=(' IPP %s ' % pc.ipp()).encode())
        sps = [E('ScheduledStationAETitle', 'ECHO_%s' % inst.ae(10)), E('ScheduledProcedureStepStartDate', sched.da()),
               E('ScheduledProcedureStepStartTime', '083000'), E('Modality', 'US'),
               E('ScheduledPerformingPhysicianName', st[0].pn(2)),
               E('ScheduledProcedureStepDescription', 'Echo T3 %s' % pc.name.txt(3)),
               SQ('ScheduledProtocolCodeSequence', [code('T3M', '99TREOUV', 'Echo morpho T3 - %s' % st[1].txt(1))]),
               E('ScheduledProcedureStepID', 'SPS%s' % nda()), E('ScheduledStationName', 'ECHO3'),
               E('ScheduledProcedureStepLocation', dept()[:16] if len(dept.value) <= 16 else 'ECHO 3'),
               E('PreMedication', ''), E('ScheduledProcedureStepStatus', 'SCHEDULED'),
               E('CommentsOnTheScheduledProcedureStep', 'Accompagnée de sa mère %s (%s); interprète demandé. %s' % (
                   rel_.txt(0), rph.f(4), dept()))]
        els = sop(SOP['US'], uid(5), 'ISO_IR 100') + patient(pc) + study.elems() + series('US', 2)
        els += equipment('Sonavia', 'SV-8') + [
            E('AdmissionID', nda()), E('AdmittingDate', admit.da()),
            E('RouteOfAdmissions', 'Transfert depuis %s' % inst2()),
            SQ('ScheduledProcedureStepSequence', [sps]),
            E('RequestedProcedureID', 'RP%s' % study.acc()),
            SQ('RequestedProcedureCodeSequence', [code('ECHOT3', '99TREOUV', 'Echographie T3 (%s)' % st[2].txt(3))]),
            E('ImageType', ['ORIGINAL', 'PRIMARY']), E('InstanceNumber', '1'), E('BurnedInAnnotation', 'NO'),
            E('ContentDate', study.date.da()), E('ContentTime', '090000')]
        els += image_pixel(a, pixel=E('PixelData', Encap([frame]), 'OB'))
        self.emit(rel, els, TS_RLE, 'US image, RLE lossless with bytes after the last RLE segment; Scheduled '
                  'Procedure Step Sequence (worklist item inside an image: comments, protocol code meaning, '
                  'performing physician, description), Route of Admissions, Requested Procedure code meaning')

    def f09_kos(self):
        c = self.c
        pc, study = self.P['us'], self.S['us']
        inst = c.inst(9)
        st = c.staff()
        em = c.staff_email(st, inst)
        hl = c.hl7('CDA')
        sent = c.date('event', 2022, 2023)
        rel = self.begin('maternite/KOS_envoi.dcm')
        img = uid(5)
        url = c.url(inst, '/wado-rs/studies/%s/series?PatientID=%s' % (study.uid, pc.ipp()))
        uri = c.url(inst, '/cda/%s' % hl())
        fil = c.other_id('order-filler-id', 9)
        content = [ci_text('CONTAINS', C('113012', 'DCM', 'Key Object Description'),
                           'Images transmises au %s (%s) le %s' % (st.txt(1), em(), sent.f('fr'))),
                   ci_image('CONTAINS', None, SOP['US'], img)]
        els = sop(SOP['KOS'], uid(5), 'ISO_IR 100') + patient(pc, 4) + study.elems() + series('KO', 20)
        els += equipment('Sonavia', 'PACS-KOS') + [
            E('ContentDate', sent.da()), E('ContentTime', '160000'), E('InstanceNumber', '1'),
            SQ('ReferencedPerformedProcedureStepSequence', []),
            SQ('CurrentRequestedProcedureEvidenceSequence', [[
                E('StudyInstanceUID', study.uid),
                SQ('ReferencedSeriesSequence', [[E('SeriesInstanceUID', uid(4)), E('RetrieveURL', url()),
                                                 E('RetrieveAETitle', 'PACS_%s' % inst.ae(10)),
                                                 E('RetrieveLocationUID', uid(7)),
                                                 SQ('ReferencedSOPSequence', [[E('ReferencedSOPClassUID', SOP['US']),
                                                                                E('ReferencedSOPInstanceUID', img)]])]])]]),
            SQ('IdenticalDocumentsSequence', []),
            SQ('ReferencedRequestSequence', [[E('StudyInstanceUID', study.uid), E('AccessionNumber', study.acc()),
                                              E('FillerOrderNumberImagingServiceRequest', fil()),
                                              SQ('OrderFillerIdentifierSequence', [[E('LocalNamespaceEntityID', 'RIS %s' % inst())]]),
                                              E('RequestedProcedureID', ''), E('PlacerOrderNumberImagingServiceRequest', '')]]),
            SQ('HL7StructuredDocumentReferenceSequence', [[E('ReferencedSOPClassUID', '1.2.840.10008.5.1.4.1.1.104.2'),
                                                           E('ReferencedSOPInstanceUID', uid(8)),
                                                           E('HL7InstanceIdentifier', '%s^%s' % (hl(), inst.ae(16))),
                                                           E('RetrieveURI', uri())]])]
        els += sr_root(C('113000', 'DCM', 'Of Interest'), content, '2010')
        self.emit(rel, els, TS_EXPLICIT, 'Key Object Selection: Key Object Description text (name, e-mail, date), '
                  'evidence Retrieve URL / Retrieve AE Title, Order Filler Identifier Sequence, HL7 Structured '
                  'Document Reference (HL7 Instance Identifier, Retrieve URI)')

    def f10_comp3d(self):
        c = self.c
        inst = c.inst(9)
        pc = c.patient('F')
        self.P['fetal'] = pc
        exam = c.date('exam', 2021, 2023)
        st1, st2 = c.staff(), c.staff()
        ru = Person('S%02d.name' % (c.count('staff') + 500), 'staff-name', 'Задорожнюкова', 'Оксана', sex='F')
        ru.add_needle('bytes_hex', 'Задорожнюкова'.encode('iso8859_5').hex())
        jp = Person('S%02d.name' % (c.count('staff') + 500), 'staff-name', '磯野辺', '勝', sex='M')
        jp.add_needle('bytes_hex', jis_encode('磯野辺', ret=b'\x1b(B').hex())
        s_dev = c.serial('FUS')
        chk = c.date('event', 2021, 2023)
        study = Study(c, pc, exam, st1)
        rel = self.begin('maternite/SR3D_biometrie.dcm')
        for_uid = uid(9)
        ru_txt = 'Консультация д-ра %s %s' % (ru.use(ru.surname), ru.given)
        jp_pn = jis_encode('%s^%s' % (jp.use(jp.surname), jp.given), ret=b'\x1b(B')
        content = person_observer(st1.pn(2), inst()) + [
            ci_code('HAS OBS CONTEXT', CN_SUBJ_CLASS, C('121026', 'DCM', 'Fetus')),
            ci_text('HAS OBS CONTEXT', CN_SUBJ_ID, 'Foetus B de Mme %s' % pc.name.surname),
            ci_pname('HAS OBS CONTEXT', CN_SUBJ_NAME, '%s^BEBE B' % pc.name.up()),
            ci_container('CONTAINS', C('125005', 'DCM', 'Biometry Group'), [
                ci_text('CONTAINS', CN_COMMENT, ru_txt, extra=[E('SpecificCharacterSet', 'ISO_IR 144')]),
                ci_pname('CONTAINS', C('121081', 'DCM', 'Physician'), jp_pn,
                         extra=[E('SpecificCharacterSet', ['', 'ISO 2022 IR 87'])]),
                ci('CONTAINS', 'SCOORD3D', C('121055', 'DCM', 'Path'), [
                    E('GraphicType', 'POLYLINE'), E('GraphicData', [0.0, 0.0, 0.0, 10.0, 5.0, 2.0], 'FL'),
                    E('ReferencedFrameOfReferenceUID', for_uid)]),
                ci_num('CONTAINS', C('11820-8', 'LN', 'Biparietal Diameter'), 81.5, C('mm', 'UCUM', 'mm'),
                       children=[ci_byref('INFERRED FROM', [1, 7, 1]), ci_byref('INFERRED FROM', [1, 7, 3])]),
                ci_text('CONTAINS', CN_COMMENT, 'Mesures contrôlées par %s le %s' % (st2.txt(0), chk.f('fr')))]),
        ] + device_observer(uid(10), 'Echo 3D', 'Sonavia', 'SV-9', s_dev(), 'Maternité')
        els = sop(SOP['C3DSR'], uid(5), 'ISO_IR 100') + patient(pc) + study.elems() + series('SR', 30)
        els += equipment('Sonavia', 'SV-9') + sr_general(exam.da())
        els += [E('FrameOfReferenceUID', for_uid)] if False else []
        els += sr_root(C('125000', 'DCM', 'OB-GYN Ultrasound Procedure Report'), content, '5000')
        self.emit(rel, els, TS_EXPLICIT, 'Comprehensive 3D SR: Specific Character Set changed inside content items '
                  '(ISO_IR 144 Cyrillic text, ISO 2022 IR 87 person name), fetus subject context (Subject ID / '
                  'Subject Name), by-reference relationships (Referenced Content Item Identifier), SCOORD3D, '
                  'device observer serial')

    def f11_tid1500(self):
        c = self.c
        inst = c.inst(4)
        pc = c.patient('M')
        self.P['onco'] = pc
        exam = c.date('exam', 2021, 2023)
        chemo = c.date('treatment', 2021, 2023)
        st = [c.staff() for _ in range(4)]
        dept = c.dept()
        s_ws = c.serial('WS')
        study = Study(c, pc, exam, st[0])
        self.S['onco'] = study
        rel = self.begin('oncologie/%s/TID1500.dcm' % pc.ipp.value, [(pc.ipp, pc.ipp.value)])
        addr = c.inst_address(inst)
        img = uid(5)
        trk_uid = '1.2.250.1.999.%s.%s' % (pc.nir(pc.nir.value[:13]), exam.da())
        content = [ci_code('HAS CONCEPT MOD', C('121049', 'DCM', 'Language of Content Item and Descendants'),
                           C('fr', 'RFC5646', 'French'))] + person_observer(st[1].pn(0), '%s, %s' % (inst(), dept()),
                                                                           C('309343006', 'SCT', 'Physician')) + \
            device_observer(uid(10), 'Poste %s' % s_ws(), 'Oncoview', 'OV-2', s_ws(), dept()) + [
            ci_code('HAS CONCEPT MOD', C('121058', 'DCM', 'Procedure reported'), C('25045-6', 'LN', 'CT')),
            ci_container('CONTAINS', CN_IMAGE_LIB, [ci_container('CONTAINS', C('126200', 'DCM', 'Image Library Group'), [
                ci_image('CONTAINS', None, SOP['CT'], img)])]),
            ci_container('CONTAINS', C('126010', 'DCM', 'Imaging Measurements'), [
                ci_container('CONTAINS', C('125007', 'DCM', 'Measurement Group'), [
                    ci_text('HAS OBS CONTEXT', CN_TRACK_ID, 'Lésion foie seg VII – %s %s' % (pc.name.up(), exam.f('slash'))),
                    ci_uid('HAS OBS CONTEXT', CN_TRACK_UID, trk_uid),
                    ci_text('HAS OBS CONTEXT', C('C2348792', 'UMLS', 'Time Point'), 'J+21 post-chimio (%s)' % chemo.f('fr')),
                    ci_text('HAS OBS CONTEXT', C('C67447', 'NCIt', 'Activity Session'), 'Visite 4 – %s' % inst()),
                    ci_code('CONTAINS', CN_FINDING, C('108369006', 'SCT', 'Neoplasm')),
                    ci_num('CONTAINS', C('410668003', 'SCT', 'Length'), 23.4, C('mm', 'UCUM', 'mm'), children=[
                        ci_text('HAS CONCEPT MOD', CN_ALGO_NAME, 'Mesure manuelle %s' % st[2].txt(2)),
                        ci_text('HAS CONCEPT MOD', CN_ALGO_VER, '1')])])])]
        pred_uid = '1.2.250.1.999.3.%s.%s' % (pc.ipp(), exam.da())
        els = sop(SOP['CSR'], uid(5), 'ISO_IR 192') + patient(pc, 3) + study.elems() + series('SR', 40)
        els += equipment('Oncoview', 'OV-2') + sr_general(exam.da(), st[3].pn(0), inst()) + [
            SQ('CodingSchemeIdentificationSequence', [[
                E('CodingSchemeDesignator', '99%s' % inst.ae(6)),
                E('CodingSchemeName', 'Codes locaux %s' % inst()),
                E('CodingSchemeResponsibleOrganization', '%s, %s, %s' % (inst(), dept(), addr())),
                E((0x0008, 0x010E), c.url(inst, '/codes/locaux.html')(), 'UR')]]),
            SQ('PredecessorDocumentsSequence', [[E('StudyInstanceUID', study.uid), SQ('ReferencedSeriesSequence', [[
                E('SeriesInstanceUID', uid(4)), SQ('ReferencedSOPSequence', [[E('ReferencedSOPClassUID', SOP['CSR']),
                                                                              E('ReferencedSOPInstanceUID', pred_uid)]])]])]])]
        els += sr_root(C('126000', 'DCM', 'Imaging Measurement Report'), content, '1500')
        self.emit(rel, els, TS_EXPLICIT, 'Measurement Report (TID 1500) in a Comprehensive SR: Tracking Identifier '
                  'and Tracking UID (NIR inside a UID), Time Point, Activity Session, Algorithm Name, observer '
                  'context (person, organization, device); Coding Scheme Identification (name, responsible '
                  'organization with address, URL); predecessor UID carrying IPP and date; IPP in the folder')

    def f12_basic_text_html(self):
        c = self.c
        inst = c.inst(1)
        pc = c.patient('F')
        pc.addr = c.address('P%02d' % pc.k)
        pc.phone = c.phone('P%02d' % pc.k, mobile=True)
        exam = c.date('exam', 2020, 2023)
        st = [c.staff() for _ in range(3)]
        rel_ = c.relative('M')
        rph = c.phone('R%02d' % int(rel_.id[1:3]), mobile=True)
        em = c.staff_email(st[0], inst)
        study = Study(c, pc, exam, st[0])
        rel = self.begin('cr/SR_texte.dcm')

        def ent(s):
            return ''.join('&#%d;' % ord(ch) if ord(ch) > 127 else ch for ch in s)

        def ent_named(s):
            return html.escape(s).replace('é', '&eacute;').replace('è', '&egrave;').replace('ë', '&euml;').replace(
                'É', '&Eacute;').replace('ï', '&iuml;').replace('ô', '&ocirc;')

        def rtf(s):
            return ''.join("\\'%02x" % ord(ch) if ord(ch) > 127 else ch for ch in s)

        def qp(s):
            return ''.join(''.join('=%02X' % b for b in ch.encode('utf-8')) if ord(ch) > 127 else ch for ch in s)

        sur = pc.name.use(pc.name.surname)
        split = '%s<span class="n"></span>%s' % (ent_named(sur[:3]), ent_named(sur[3:]))
        ipp_ent = ''.join('&#%d;' % ord(ch) for ch in pc.ipp())
        import base64
        import urllib.parse
        b64 = base64.b64encode(('Contact: %s %s' % (rel_.txt(0), rph.f(1))).encode('utf-8')).decode()
        texts = [
            '<html><body><p>Patiente&nbsp;: <b>%s</b> %s, n&eacute;e le %s</p>' % (split, ent(pc.name.given), pc.dob.f('en')),
            '<p>IPP&nbsp;: %s &ndash; <a href="mailto:%s">%s</a></p>' % (
                ipp_ent, urllib.parse.quote(em()), ent(st[0].txt(1))),
            '<p><a href="tel:%s">urgence</a></p>' % urllib.parse.quote(pc.phone.f(2)),
            '{\\rtf1\\ansi\\deff0 Adresse\\~: %s\\par}' % rtf(pc.addr()),
            'Content-Transfer-Encoding: quoted-printable\r\n\r\nCompte rendu envoy=C3=A9 =C3=A0 %s le %s' % (
                qp(st[1].txt(0)), exam.f('en2')),
            '<img src="data:text/plain;base64,%s"/>' % b64,
            '{"medecin":"%s","date":"%s"}' % (st[2].txt(0).encode('ascii', 'backslashreplace').decode().replace(
                '\\x', '\\u00'), exam.f('iso')),
        ]
        content = person_observer(st[0].pn(3), inst()) + [ci_text('CONTAINS', CN_COMMENT, t) for t in texts]
        els = sop(SOP['BTSR'], uid(5), 'ISO_IR 192') + patient(pc, 1) + study.elems() + series('SR', 50)
        els += equipment('Textmed', 'TM') + sr_general(exam.da())
        els += sr_root(C('11528-7', 'LN', 'Radiology Report'), content)
        self.emit(rel, els, TS_EXPLICIT, 'Basic Text SR with HTML-like text: names split by tags and written with '
                  'named/numeric character references, percent-encoded mailto:/tel: links, RTF \\\'xx escapes, '
                  'quoted-printable, a base64 data: URI, JSON \\u escapes')

    def f13_proclog(self):
        c = self.c
        inst = c.inst(5)
        pc = c.patient('M')
        self.P['cardio'] = pc
        exam = c.date('exam', 2020, 2023)
        st = [c.staff() for _ in range(5)]
        sph = c.phone('S%02d' % st[2].k, mobile=True)
        rel_ = c.relative('F')
        rph = c.phone('R%02d' % int(rel_.id[1:3]), mobile=True)
        lot1, lot2 = c.serial('LOT'), c.serial('REF')
        dept = c.dept()
        study = Study(c, pc, exam, st[0])
        self.S['cardio'] = study
        rel = self.begin('cardio/%s/proclog.dcm' % fold(pc.name.surname).upper(), [(pc.name, fold(pc.name.surname).upper())])

        def ev(hh, mm, children):
            return ci_container('CONTAINS', C('121146', 'DCM', 'Procedure Action'), [
                ci_dt('HAS OBS CONTEXT', CN_DATETIME, exam.dt(hh, mm))] + children)
        content = person_observer(st[0].pn(2), '%s - %s' % (inst(), dept()), C('309343006', 'SCT', 'Physician')) + \
            person_observer(st[1].pn(1), None, C('106292003', 'SCT', 'Nurse')) + [
            ev(8, 2, [ci_text('CONTAINS', CN_COMMENT, 'Patient arrivé en salle, identité vérifiée: %s, IPP %s' % (
                pc.name.txt(3), pc.ipp()))]),
            ev(8, 40, [ci_text('CONTAINS', CN_COMMENT, 'Appel du %s au %s' % (st[2].txt(1), sph.f(7)))]),
            ev(9, 5, [ci_text('CONTAINS', CN_COMMENT, 'Stent lot %s / réf %s' % (lot1(), lot2()))]),
            ev(9, 30, [ci_pname('CONTAINS', C('121120', 'DCM', 'Operator'), st[3].pn(0))]),
            ev(10, 15, [ci_text('CONTAINS', CN_COMMENT, 'Famille prévenue: %s (%s)' % (rel_.txt(0), rph.f(0)))]),
            ev(10, 20, [ci_code('CONTAINS', C('121123', 'DCM', 'Personnel'),
                                C('AIDE', '99BREST', 'Aide: %s' % st[4].txt(0)))])]
        els = sop(SOP['PLOG'], uid(5), 'ISO_IR 192') + patient(pc) + study.elems() + series('SR', 60)
        els += equipment('Cathcorp', 'CathLog 5') + sr_general(exam.da())
        els += sr_root(C('121145', 'DCM', 'Procedure Log'), content, '3001')
        self.emit(rel, els, TS_EXPLICIT, 'Procedure Log SR: timed events with free text (identity check, phone '
                  'calls, relatives), device lot numbers, person names in PNAME and in a private code meaning')

    def f14_rt_ion_plan(self):
        c = self.c
        inst = c.inst(6)
        pc = c.patient('M')
        self.P['rt'] = pc
        st = [c.staff() for _ in range(5)]
        plan_d = c.date('treatment-plan', 2021, 2023)
        rev_d = c.date('review', 2021, 2023)
        s_rs, s_snout = c.serial('RS'), c.serial('SNT')
        study = Study(c, pc, plan_d, st[0])
        self.S['rt'] = study
        self.rt_plan_uid = uid(5)
        rel = self.begin('radiotherapie/RTIONPLAN.dcm')
        up = pc.name.up()
        beams = []
        for k, ang in enumerate((90, 270)):
            beams.append([E('BeamNumber', str(k + 1)), E('BeamName', ('G%d %s' % (ang, up))[:64]),
                          E('BeamDescription', 'Faisceau validé par %s' % st[1].txt(2)),
                          E('BeamType', 'STATIC'), E('RadiationType', 'PROTON'), E('TreatmentMachineName', 'GTR1'),
                          E('PrimaryDosimeterUnit', 'MU'), E('TreatmentDeliveryType', 'TREATMENT'),
                          E('NumberOfWedges', '0'), E('NumberOfCompensators', '0'), E('NumberOfBoli', '0'),
                          E('NumberOfBlocks', '0'), E('NumberOfRangeShifters', '1'),
                          SQ('RangeShifterSequence', [[E('RangeShifterNumber', '1'), E('RangeShifterID', s_rs()),
                                                       E('AccessoryCode', 'RS-%s' % st[2].up()[:10]),
                                                       E('RangeShifterType', 'BINARY')]]),
                          SQ('SnoutSequence', [[E('SnoutID', s_snout()), E('AccessoryCode', 'SNOUT-B')]]),
                          E('NumberOfLateralSpreadingDevices', '0'), E('NumberOfRangeModulators', '0'),
                          E('PatientSupportType', 'TABLE'), E('PatientSupportID', 'TABLE_%s' % st[3].up()[:9]),
                          E('FinalCumulativeMetersetWeight', '1'), E('NumberOfControlPoints', '0'),
                          E('ReferencedPatientSetupNumber', '1'), E('ReferencedToleranceTableNumber', '1')])
        els = sop(SOP['RTION'], self.rt_plan_uid, 'ISO_IR 100') + patient(pc) + study.elems() + series('RTPLAN', 1)
        els += equipment('Protonix', 'PX-Plan') + [
            E('RTPlanLabel', '%s_PROST' % up[:9]), E('RTPlanName', 'Prostate %s' % pc.name.txt(6)),
            E('RTPlanDescription', 'Plan du %s - %s' % (plan_d.f('fr'), st[0].txt(1))),
            E('RTPlanDate', plan_d.da()), E('RTPlanTime', '150000'), E('RTPlanGeometry', 'PATIENT'),
            E('ApprovalStatus', 'APPROVED'), E('ReviewDate', rev_d.da()), E('ReviewTime', '090000'),
            E('ReviewerName', st[4].pn(2)),
            SQ('FractionGroupSequence', [[E('FractionGroupNumber', '1'), E('NumberOfFractionsPlanned', '39'),
                                          E('FractionGroupDescription', 'Phase 1 %s' % pc.name.up()),
                                          E('NumberOfBeams', '2'), E('NumberOfBrachyApplicationSetups', '0')]]),
            SQ('IonToleranceTableSequence', [[E('ToleranceTableNumber', '1'),
                                              E('ToleranceTableLabel', 'TT %s' % st[2].up()[:12])]]),
            SQ('PatientSetupSequence', [[E('PatientSetupNumber', '1'), E('PatientPosition', 'HFS'),
                                         E('PatientAdditionalPosition', 'Bras relevés (%s)' % st[3].txt(2)),
                                         SQ('FixationDeviceSequence', [[E('FixationDeviceType', 'MASK'),
                                                                        E('FixationDeviceLabel', 'MASQ %s' % up[:10]),
                                                                        E('FixationDeviceDescription', 'Masque fait le %s' % plan_d.f('slash'))]]),
                                         E('SetupTechnique', 'ISOCENTRIC'),
                                         E('SetupTechniqueDescription', 'Repères tatoués par %s' % st[1].txt(0))]]),
            SQ('IonBeamSequence', beams)]
        self.emit(rel, els, TS_EXPLICIT, 'RT Ion Plan: RT Plan Label/Name/Description, Beam Name, Range Shifter '
                  'ID, Snout ID, Accessory Code, Patient Support ID, Tolerance Table Label, Fixation Device '
                  'Label/Description, Patient Additional Position, Fraction Group Description, Reviewer Name')

    def f15_rt_record(self):
        c = self.c
        pc, study = self.P['rt'], self.S['rt']
        inst = c.inst(6)
        addr = c.inst_address(inst)
        st = [c.staff() for _ in range(4)]
        bip = c.phone('S%02d' % st[1].k, mobile=False)
        tdate, first = c.date('treatment', 2022, 2023), c.date('treatment', 2021, 2022)
        s_linac = c.serial('LIN')
        dept = c.dept()
        rel = self.begin('radiotherapie/RTRECORD_seance12.dcm')
        sess = [[E('ReferencedBeamNumber', '1'), E('BeamName', 'G90 %s' % pc.name.up()),
                 E('BeamType', 'STATIC'), E('RadiationType', 'PROTON'), E('TreatmentDeliveryType', 'TREATMENT'),
                 E('NumberOfWedges', '0'), E('NumberOfCompensators', '0'), E('NumberOfBoli', '0'), E('NumberOfBlocks', '0'),
                 E('CurrentFractionNumber', '12'), E('TreatmentTerminationStatus', 'NORMAL'),
                 E('TreatmentVerificationStatus', 'VERIFIED_OVR'),
                 SQ('OverrideSequence', [[E('OverrideParameterPointer', 0x300A0128, 'AT'),
                                          E('OperatorsName', st[0].pn(0)),
                                          E('OverrideReason', 'Dérogation validée par %s (bip %s)' % (st[1].txt(1), bip.f(10)))]]),
                 SQ('CalculatedDoseReferenceSequence', [[E('CalculatedDoseReferenceNumber', '1'),
                                                         E('CalculatedDoseReferenceDescription', 'Dose calc. %s %s' % (st[2].up(), tdate.f('slash'))),
                                                         E('CalculatedDoseReferenceDoseValue', '2.0')]]),
                 E('PrimaryDosimeterUnit', 'MU'), E('NumberOfControlPoints', '0')]]
        els = sop(SOP['RTREC'], uid(5), 'ISO_IR 100') + patient(pc, 2) + study.elems() + series('RTRECORD', 2)
        els += equipment('Protonix', 'PX-Rec') + [
            E('InstanceNumber', '12'), E('TreatmentDate', tdate.da()), E('TreatmentTime', '081500'),
            SQ('ReferencedRTPlanSequence', [[E('ReferencedSOPClassUID', SOP['RTION']),
                                             E('ReferencedSOPInstanceUID', self.rt_plan_uid)]]),
            E('NumberOfFractionsPlanned', '39'), E('PrimaryDosimeterUnit', 'MU'),
            SQ('TreatmentMachineSequence', [[E('TreatmentMachineName', 'GTR1'),
                                             E('Manufacturer', 'Physique médicale %s' % inst()),
                                             E('InstitutionName', inst()), E('InstitutionAddress', addr()),
                                             E('InstitutionalDepartmentName', dept()),
                                             E('ManufacturerModelName', 'Gantry %s' % inst(inst.core)),
                                             E('DeviceSerialNumber', s_linac())]]),
            SQ('MeasuredDoseReferenceSequence', [[E('MeasuredDoseReferenceNumber', '1'),
                                                  E('MeasuredDoseDescription', 'Diode in vivo posée par %s' % st[3].txt(0)),
                                                  E('MeasuredDoseType', 'DIODE'), E('MeasuredDoseValue', '1.98')]]),
            SQ('TreatmentSummaryCalculatedDoseReferenceSequence', [[
                E('CalculatedDoseReferenceNumber', '1'), E('CumulativeDoseReferenceCoefficient', '0.3'),
                E('CalculatedDoseReferenceDescription', 'Cumul depuis le %s' % first.f('fr'))]]),
            E('FirstTreatmentDate', first.da()), E('MostRecentTreatmentDate', tdate.da()),
            SQ('TreatmentSessionBeamSequence', sess)]
        self.emit(rel, els, TS_EXPLICIT, 'RT Beams Treatment Record: Override Reason and Operators Name in the '
                  'Override Sequence, Calculated/Measured Dose descriptions, Treatment Machine Sequence (Manufacturer '
                  '= institution, address, department, serial), Beam Name, treatment dates')

    def f16_rt_image(self):
        c = self.c
        pc, study = self.P['rt'], self.S['rt']
        inst = c.inst(6)
        st = c.staff()
        d = c.date('treatment', 2022, 2023)
        rel = self.begin('radiotherapie/RTIMAGE_portal.dcm')
        a = (gradient(64, 64, 40).astype(np.uint16) * 100)
        els = sop(SOP['RTIMG'], uid(5), 'ISO_IR 100') + patient(pc, 3) + study.elems() + series('RTIMAGE', 3)
        els += equipment('Protonix', 'PX-Portal') + [
            E('InstanceNumber', '1'), E('ImageType', ['ORIGINAL', 'PRIMARY', 'PORTAL']),
            E('RTImageLabel', 'PORTAL %s' % pc.name.up()[:8]), E('RTImageName', 'Portal G90 %s' % pc.name.txt(0)),
            E('RTImageDescription', 'Imagerie portale validée par %s le %s' % (st.txt(1), d.f('fr'))),
            E('RadiationMachineName', '%s-GTR1' % inst.ae(10)), E('RTImagePlane', 'NORMAL'),
            E('ConversionType', 'DI'), E('ReportedValuesOrigin', 'ACTUAL'),
            E('PrimaryDosimeterUnit', 'MU'), E('RadiationMachineSAD', '1000'), E('RTImageSID', '1500'),
            E('ImagePlanePixelSpacing', [0.5, 0.5]), E('RTImagePosition', [-16, 16]),
            SQ('ReferencedRTPlanSequence', [[E('ReferencedSOPClassUID', SOP['RTION']),
                                             E('ReferencedSOPInstanceUID', self.rt_plan_uid)]]),
            E('ReferencedBeamNumber', '1'), E('ReferencedFractionGroupNumber', '1'),
            E('PixelIntensityRelationship', 'LIN'), E('PixelIntensityRelationshipSign', 1, 'SS')]
        els += image_pixel(a, bits=16)
        self.emit(rel, els, TS_IMPLICIT, 'RT Image, implicit VR: RT Image Label / Name / Description, Radiation '
                  'Machine Name')

    def f17_registration(self):
        c = self.c
        inst = c.inst(11)
        pc = c.patient('F')
        self.P['reg'] = pc
        st = [c.staff() for _ in range(2)]
        d = c.date('exam', 2021, 2023)
        rd = c.date('event', 2021, 2023)
        study = Study(c, pc, d, st[0])
        self.S['reg'] = study
        self.for1, self.for2 = uid(9), uid(9)
        rel = self.begin('neuro/REG_rigid.dcm')
        m = [1, 0, 0, 1.5, 0, 1, 0, -2, 0, 0, 1, 0.5, 0, 0, 0, 1]
        els = sop(SOP['REG'], uid(5), 'ISO_IR 100') + patient(pc) + study.elems() + series('REG', 1)
        els += equipment('Fusionix', 'FX-Reg') + [
            E('InstanceNumber', '1'), E('ContentLabel', 'RECAL_%s' % pc.name.up()[:9]),
            E('ContentDescription', 'Fusion IRM/TDM pour %s' % pc.name.txt(0)),
            E('ContentCreatorName', st[0].pn(2)),
            SQ('ContentCreatorIdentificationCodeSequence', [code(c.rpps(st[0])(), 'RPPS', st[0].txt(0))]),
            SQ('AlternateContentDescriptionSequence', [[E('ContentDescription', 'MR/CT fusion for %s' % pc.name.txt(4)),
                                                        SQ('LanguageCodeSequence', [code('en', 'RFC5646', 'English')])]]),
            E('ContentDate', d.da()), E('ContentTime', '110000'), E('FrameOfReferenceUID', self.for1),
            SQ('RegistrationSequence', [
                [E('FrameOfReferenceUID', self.for1), SQ('MatrixRegistrationSequence', [[
                    SQ('MatrixSequence', [[E('FrameOfReferenceTransformationMatrix', m),
                                           E('FrameOfReferenceTransformationMatrixType', 'RIGID')]])]])],
                [E('FrameOfReferenceUID', self.for2), SQ('MatrixRegistrationSequence', [[
                    E('FrameOfReferenceTransformationComment', 'Recalage validé par %s le %s' % (st[1].txt(2), rd.f('slash'))),
                    SQ('RegistrationTypeCodeSequence', [code('125025', 'DCM', 'Visual Alignment')]),
                    SQ('MatrixSequence', [[E('FrameOfReferenceTransformationMatrix', m),
                                           E('FrameOfReferenceTransformationMatrixType', 'RIGID')]])]])]]),
            SQ('ReferencedSeriesSequence', [[E('SeriesInstanceUID', uid(4)), SQ('ReferencedInstanceSequence', [[
                E('ReferencedSOPClassUID', SOP['MR']), E('ReferencedSOPInstanceUID', uid(5))]])]])]
        self.emit(rel, els, TS_EXPLICIT, 'Spatial Registration: Content Label (CS), Content Description and its '
                  'alternate (English) description, Content Creator identification code meaning, Frame of '
                  'Reference Transformation Comment')

    def f18_deformable(self):
        c = self.c
        pc, study = self.P['reg'], self.S['reg']
        inst = c.inst(11)
        st = c.staff()
        d = c.date('event', 2021, 2023)
        rel = self.begin('neuro/REG_deformable.dcm')
        grid = np.linspace(-1, 1, 2 * 2 * 2 * 3).astype('<f4')
        els = sop(SOP['DREG'], uid(5), 'ISO_IR 100') + patient(pc, 1) + study.elems() + series('REG', 2)
        els += equipment('Fusionix', 'FX-Deform') + [
            E('InstanceNumber', '1'), E('ContentLabel', 'DEFORM_%s' % pc.name.up()[:8]),
            E('ContentDescription', 'Déformable %s' % pc.name.txt(2)),
            E('ContentCreatorIdentificationCodeSequence', [Item([E('InstitutionName', inst())])], 'SQ'),
            E('ContentCreatorName', st.pn(0)), E('ContentDate', d.da()), E('ContentTime', '120000'),
            E('FrameOfReferenceUID', self.for1),
            SQ('DeformableRegistrationSequence', [[
                E('SourceFrameOfReferenceUID', self.for2),
                SQ('RegistrationTypeCodeSequence', [code('DEF', '99RUNAVEL', 'Déformable (%s)' % st.txt(2))]),
                E('FrameOfReferenceTransformationComment', 'B-spline, %s, %s' % (st.txt(3), d.f('en'))),
                SQ('DeformableRegistrationGridSequence', [[
                    E('ImagePositionPatient', [0, 0, 0]), E('ImageOrientationPatient', [1, 0, 0, 0, 1, 0]),
                    E('GridDimensions', [2, 2, 2], 'UL'), E('GridResolution', [10.0, 10.0, 10.0], 'FD'),
                    E('VectorGridData', grid.tobytes(), 'OF')]])]])]
        self.emit(rel, els, TS_DEFLATE, 'Deformable Spatial Registration, deflated transfer syntax: Content '
                  'Label/Description, Registration Type code meaning, Transformation Comment, vector grid')

    def f19_fiducials(self):
        c = self.c
        pc, study = self.P['reg'], self.S['reg']
        inst = c.inst(3)
        st = c.staff()
        d = c.date('surgery', 2020, 2023)
        dept = c.dept()
        rel = self.begin('neuro/FIDUCIALS.dcm')
        fids = [[E('FiducialIdentifier', 'CLIP_%s' % pc.name.up()[:10]), E('FiducialUID', uid(11)),
                 E('FiducialDescription', 'Clip posé le %s par %s (%s)' % (d.f('fr'), st.txt(1), dept())),
                 E('ShapeType', 'POINT'), E('ContourData', [10.0, 20.0, 30.0])],
                [E('FiducialIdentifier', 'F2'), E('FiducialDescription', 'Repère cutané - %s' % inst()),
                 E('ShapeType', 'POINT'), E('ContourData', [12.0, 22.0, 31.0])]]
        els = sop(SOP['FID'], uid(5), 'ISO_IR 100') + patient(pc, 3) + study.elems() + series('FID', 3)
        els += equipment('Fusionix', 'FX-Fid') + [
            E('InstanceNumber', '1'), E('ContentLabel', 'FIDUCIALS'), E('ContentDescription', ''),
            E('ContentCreatorName', ''), E('ContentDate', study.date.da()), E('ContentTime', '130000'),
            SQ('FiducialSetSequence', [[E('FrameOfReferenceUID', self.for1), SQ('FiducialSequence', fids)]])]
        self.emit(rel, els, TS_EXPLICIT, 'Spatial Fiducials: Fiducial Identifier and Fiducial Description')

    def f20_surface_seg(self):
        c = self.c
        inst = c.inst(2)
        pc = c.patient('M')
        self.P['3d'] = pc
        pc.addr = None
        st = [c.staff() for _ in range(3)]
        d = c.date('exam', 2021, 2023)
        addr = c.inst_address(inst)
        study = Study(c, pc, d, st[0])
        self.S['3d'] = study
        self.for3d = uid(9)
        rel = self.begin('impression3d/SURFACE_SEG.dcm')
        pts = np.array([0, 0, 0, 10, 0, 0, 0, 10, 0, 0, 0, 10], '<f4')
        tri = np.array([1, 2, 3, 1, 2, 4, 1, 3, 4, 2, 3, 4], '<u4')
        user = fold(st[1].given[0] + st[1].surname).lower().replace(' ', '').replace("'", '')
        path = 'C:\\Users\\%s\\Patients\\%s_%s\\foie.stl' % (user, pc.name.up(), pc.ipp())
        st[1].add_needle('joined', norm(user))
        st[1].use(user)
        els = sop(SOP['SSEG'], uid(5), 'ISO_IR 100') + patient(pc) + study.elems() + series('SEG', 1)
        els += equipment('Meshlabo', 'ML-3', [E('SoftwareVersions', ['3.1', 'build %s' % inst(inst.core)])]) + [
            E('InstanceNumber', '1'), E('ContentLabel', 'FOIE_3D'), E('ContentDescription', 'Foie de %s' % pc.name.txt(0)),
            E('ContentCreatorName', st[0].pn(0)), E('ContentDate', d.da()), E('ContentTime', '100000'),
            E('FrameOfReferenceUID', self.for3d),
            SQ('SegmentSequence', [[E('SegmentNumber', 1), E('SegmentLabel', 'Foie %s' % pc.name.surname),
                                    E('SegmentDescription', 'Segmentation du %s par %s' % (d.f('frj'), st[1].txt(1))),
                                    E('SegmentAlgorithmType', 'SEMIAUTOMATIC'),
                                    E('SegmentAlgorithmName', ['3D Slicer', 'retouches %s' % st[1].up()]),
                                    SQ('SegmentedPropertyCategoryCodeSequence', [code('91723000', 'SCT', 'Anatomical Structure')]),
                                    SQ('SegmentedPropertyTypeCodeSequence', [code('10200004', 'SCT', 'Liver')]),
                                    SQ('ReferencedSurfaceSequence', [[E('ReferencedSurfaceNumber', 1),
                                        SQ('SegmentSurfaceGenerationAlgorithmIdentificationSequence', [[
                                            SQ('AlgorithmFamilyCodeSequence', [code('123109', 'DCM', 'Manual Processing')]),
                                            E('AlgorithmName', 'Marching cubes'), E('AlgorithmVersion', '1')]]),
                                        SQ('SegmentSurfaceSourceInstanceSequence', [])]])]]),
            E('NumberOfSurfaces', 1),
            SQ('SurfaceSequence', [[E('SurfaceNumber', 1),
                                    E('SurfaceComments', 'Maillage exporté pour impression 3D - %s, %s' % (inst(), addr())),
                                    E('SurfaceProcessing', 'YES'), E('SurfaceProcessingRatio', 0.5, 'FL'),
                                    E('SurfaceProcessingDescription', 'Lissage %s' % st[2].txt(2)),
                                    SQ('SurfaceProcessingAlgorithmIdentificationSequence', [[
                                        SQ('AlgorithmFamilyCodeSequence', [code('123109', 'DCM', 'Manual Processing')]),
                                        E('AlgorithmName', 'Lissage Laplace'), E('AlgorithmVersion', 'v2 %s' % st[2].up()),
                                        E('AlgorithmParameters', 'export=%s' % path)]]),
                                    E('RecommendedDisplayGrayscaleValue', 255), E('RecommendedPresentationOpacity', 1.0, 'FL'),
                                    E('RecommendedPresentationType', 'SURFACE'), E('FiniteVolume', 'YES'), E('Manifold', 'YES'),
                                    SQ('SurfacePointsSequence', [[E('NumberOfSurfacePoints', 4, 'UL'),
                                                                  E('PointCoordinatesData', pts.tobytes(), 'OF')]]),
                                    SQ('SurfaceMeshPrimitivesSequence', [[E((0x0066, 0x0040), tri.tobytes(), 'OL')]])]])]
        self.emit(rel, els, TS_EXPLICIT, 'Surface Segmentation: Segment Label/Description, multi-valued Segment '
                  'Algorithm Name, Surface Comments (institution + address), Surface Processing Description, '
                  'Algorithm Version, Algorithm Parameters (a Windows path with user, name and IPP), Software Versions')

    def _enc_doc(self, kind, doc, mime, title, rel, note, extra=()):
        c = self.c
        pc, study = self.P['3d'], self.S['3d']
        els = sop(SOP[kind], uid(5), 'ISO_IR 192') + patient(pc, 1) + study.elems() + series('M3D', 5 + len(FILES) % 5)
        els += equipment('Meshlabo', 'ML-3') + [
            E('InstanceNumber', '1'), E('ContentDate', study.date.da()), E('ContentTime', '101500'),
            E('BurnedInAnnotation', 'NO'), E('DocumentTitle', title), E('MIMETypeOfEncapsulatedDocument', mime),
            E('FrameOfReferenceUID', self.for3d), E('EncapsulatedDocumentLength', len(doc), 'UL'),
            SQ('MeasurementUnitsCodeSequence', [code('mm', 'UCUM', 'mm')]),
            E('EncapsulatedDocument', doc + (b'\0' if len(doc) % 2 else b''), 'OB')] + list(extra)
        self.emit(rel, els, TS_EXPLICIT, note)

    def f21_stl(self):
        c = self.c
        pc, study = self.P['3d'], self.S['3d']
        st = c.staff()
        rel = self.begin('impression3d/STL_foie.dcm')
        hdr = ('%s_%s export %s %s' % (pc.name.up(), pc.ipp(), study.date.f('iso'), fold(st.txt(2)))).encode()[:80].ljust(80, b' ')
        tri = struct.pack('<12fH', 0, 0, 1, 0, 0, 0, 10, 0, 0, 0, 10, 0, 0)
        doc = hdr + struct.pack('<I', 2) + tri + tri
        self._enc_doc('STL', doc, 'model/stl', 'Modèle foie %s' % pc.name.txt(0), rel,
                      'Encapsulated STL (binary): the 80-byte STL header names patient, IPP, date, operator; '
                      'Document Title')

    def f22_obj(self):
        c = self.c
        pc, study = self.P['3d'], self.S['3d']
        inst = c.inst(2)
        st = c.staff()
        em = c.staff_email(st, inst)
        rel = self.begin('impression3d/OBJ_foie.dcm')
        obj = ('# Wavefront OBJ exporté par %s <%s>\n# Patient: %s (IPP %s) né le %s\nmtllib %s_%s.mtl\n'
               'o %s\ng tumeur_dr_%s\nv 0 0 0\nv 10 0 0\nv 0 10 0\nf 1 2 3\n') % (
            st.txt(0), em(), pc.name.txt(6), pc.ipp(), pc.dob.f('slash'), pc.name.up(), study.date.f('iso'),
            pc.name.up(), fold(st.surname).lower().replace("'", ''))
        st.use(fold(st.surname).lower())
        self._enc_doc('OBJ', obj.encode('utf-8'), 'model/obj', 'Maillage OBJ', rel,
                      'Encapsulated OBJ: comments, mtllib, object and group names carry names, IPP, dates, e-mail')

    def f23_mtl(self):
        c = self.c
        pc, study = self.P['3d'], self.S['3d']
        st = c.staff()
        rel = self.begin('impression3d/MTL_foie.dcm')
        user = fold(st.surname).lower().replace(' ', '').replace("'", '')
        mtl = ('# Materiaux - %s\nnewmtl foie_%s\nKd 0.8 0.3 0.3\nmap_Kd C:\\Users\\%s\\Desktop\\%s_%s.png\n') % (
            st.txt(3), pc.name.up(), user, fold(pc.name.surname).replace(' ', ''), pc.dob.da())
        st.use(user)
        pc.name.use(pc.name.surname)
        self._enc_doc('MTL', mtl.encode('utf-8'), 'model/mtl', 'Matériaux', rel,
                      'Encapsulated MTL: comment, material name and texture path with names and birth date')

    def f24_seg(self):
        c = self.c
        pc, study = self.P['onco'], self.S['onco']
        inst = c.inst(4)
        st = c.staff()
        rel = self.begin('oncologie/%s/SEG_tumeur.dcm' % pc.ipp.value, [(pc.ipp, pc.ipp.value)])
        fr = np.zeros((2, 16, 16), np.uint8)
        fr[:, 4:10, 4:10] = 1
        bits = np.packbits(fr.reshape(-1), bitorder='little').tobytes()
        seg_uid = '1.2.250.1.999.5.%s' % study.acc()
        per = []
        for k in range(2):
            per.append([SQ('FrameContentSequence', [[E('DimensionIndexValues', [1, k + 1], 'UL'),
                                                     E('FrameLabel', invis('Tumeur %s' % pc.name.up(), SHY, 9) if k == 0 else 'coupe %d' % k)]]),
                        SQ('SegmentIdentificationSequence', [[E('ReferencedSegmentNumber', 1)]]),
                        SQ('PlanePositionSequence', [[E('ImagePositionPatient', [0, 0, k])]])])
        els = sop(SOP['SEG'], uid(5), 'ISO_IR 192') + patient(pc, 4) + study.elems() + series('SEG', 2)
        els += equipment('Oncoview', 'OV-Seg') + [
            E('InstanceNumber', '1'), E('ImageType', ['DERIVED', 'PRIMARY']), E('ContentLabel', 'TUMEUR'),
            E('ContentDescription', 'Contourage %s' % st.txt(2)), E('ContentCreatorName', st.pn(0)),
            E('ContentDate', study.date.da()), E('ContentTime', '150000'), E('SegmentationType', 'BINARY'),
            E('FrameOfReferenceUID', uid(9)), E('LossyImageCompression', '00'),
            SQ('SegmentSequence', [[E('SegmentNumber', 1), E('SegmentLabel', invis(pc.name.surname, SHY, 4)),
                                    E('SegmentAlgorithmType', 'MANUAL'),
                                    E((0x0062, 0x0020), 'Tumeur %s #%s' % (pc.name.txt(3), study.acc()), 'UT'),
                                    E((0x0062, 0x0021), seg_uid, 'UI'),
                                    SQ('SegmentedPropertyCategoryCodeSequence', [code('49755003', 'SCT', 'Morphologically Altered Structure')]),
                                    SQ('SegmentedPropertyTypeCodeSequence', [code('108369006', 'SCT', 'Neoplasm')])]]),
            SQ('DimensionOrganizationSequence', [[E('DimensionOrganizationUID', uid(6))]]),
            SQ('SharedFunctionalGroupsSequence', [[SQ('PixelMeasuresSequence', [[E('PixelSpacing', [1, 1]), E('SliceThickness', 1)]])]]),
            SQ('PerFrameFunctionalGroupsSequence', per)]
        els += image_pixel(np.zeros((2, 16, 16), np.uint8), frames=2, bits=1,
                           pixel=E('PixelData', bits, 'OB'))
        self.emit(rel, els, TS_EXPLICIT, 'Segmentation (binary): Segment Label with soft hyphen, Tracking ID (UT) '
                  'and Tracking UID (accession inside the UID), Frame Label, Content Description')

    def f25_pmap(self):
        c = self.c
        inst = c.inst(3)
        pc = c.patient('F')
        self.P['pmap'] = pc
        st = [c.staff() for _ in range(3)]
        d = c.date('exam', 2020, 2023)
        cal = c.date('calibration', 2019, 2022)
        study = Study(c, pc, d, st[0])
        self.S['pmap'] = study
        rel = self.begin('irm/PMAP_ADC.dcm')
        a = np.linspace(0, 3e-3, 32 * 32).astype('<f4')
        rwvm = [[E('RealWorldValueFirstValueMapped', 0, 'US'), E('RealWorldValueLastValueMapped', 65535, 'US'),
                 E('LUTLabel', 'ADC %s' % st[1].up()[:11]), E('LUTExplanation', 'Carte ADC calibrée le %s par %s' % (cal.f('slash'), st[1].txt(2))),
                 E('RealWorldValueIntercept', 0.0, 'FD'), E('RealWorldValueSlope', 1.0, 'FD'),
                 SQ('MeasurementUnitsCodeSequence', [code('mm2/s', 'UCUM', 'mm2/s')]),
                 SQ('QuantityDefinitionSequence', [
                     ac_item('CODE', C('246205007', 'SCT', 'Quantity'), [SQ('ConceptCodeSequence', [code('113041', 'DCM', 'Apparent Diffusion Coefficient')])]),
                     ac_item('TEXT', C('121106', 'DCM', 'Comment'), [E('TextValue', 'Calcul demandé par %s (%s)' % (st[2].txt(1), inst()))])])]]
        els = sop(SOP['PMAP'], uid(5), 'ISO_IR 192') + patient(pc) + study.elems() + series('MR', 100)
        els += equipment('Magnetix', 'MX-Map') + [
            E('InstanceNumber', '1'), E('ImageType', ['DERIVED', 'PRIMARY']), E('ContentLabel', 'ADC_MAP'),
            E('ContentDescription', 'ADC %s' % pc.name.txt(0)), E('ContentCreatorName', st[0].pn(1)),
            E('ContentDate', d.da()), E('ContentTime', '101010'), E('FrameOfReferenceUID', uid(9)),
            E('SamplesPerPixel', 1), E('PhotometricInterpretation', 'MONOCHROME2'), E('Rows', 32), E('Columns', 32),
            E('BitsAllocated', 32), E('NumberOfFrames', '1'), E('PresentationLUTShape', 'IDENTITY'),
            E('LossyImageCompression', '00'), E('BurnedInAnnotation', 'NO'),
            SQ('DimensionOrganizationSequence', [[E('DimensionOrganizationUID', uid(6))]]),
            SQ('SharedFunctionalGroupsSequence', [[SQ('RealWorldValueMappingSequence', rwvm),
                                                    SQ('PixelMeasuresSequence', [[E('PixelSpacing', [1, 1]), E('SliceThickness', 3)]])]]),
            SQ('PerFrameFunctionalGroupsSequence', [[SQ('FrameContentSequence', [[
                E('FrameLabel', 'ADC %s %s' % (pc.name.up(), d.f('iso')))]])]]),
            E((0x7FE0, 0x0008), a.tobytes(), 'OF')]
        self.emit(rel, els, TS_EXPLICIT, 'Parametric Map (float pixel data): Real World Value Mapping (LUT Label, '
                  'LUT Explanation, Quantity Definition text item), Frame Label, Content Description')

    def f26_rwvm(self):
        c = self.c
        pc, study = self.P['pmap'], self.S['pmap']
        inst = c.inst(3)
        st = c.staff()
        ph = c.phone('S%02d' % st.k, mobile=False)
        rel = self.begin('irm/RWVM.dcm')
        els = sop(SOP['RWVM'], uid(5), 'ISO_IR 100') + patient(pc, 2) + study.elems() + series('RWV', 101)
        els += equipment('Magnetix', 'MX-Map') + [
            E('InstanceNumber', '1'), E('ContentLabel', 'RWVM_T1'),
            E('ContentDescription', 'Carte T1 à la demande de %s (tél %s)' % (st.txt(1), ph.f(0))),
            E('ContentCreatorName', ''), E('ContentDate', study.date.da()), E('ContentTime', '102000'),
            SQ('ReferencedImageRealWorldValueMappingSequence', [[
                SQ('RealWorldValueMappingSequence', [[
                    E('RealWorldValueFirstValueMapped', 0, 'US'), E('RealWorldValueLastValueMapped', 4095, 'US'),
                    E('LUTLabel', 'T1'), E('LUTExplanation', 'T1 %s' % pc.name.txt(3)),
                    E('RealWorldValueIntercept', 0.0, 'FD'), E('RealWorldValueSlope', 0.5, 'FD'),
                    SQ('MeasurementUnitsCodeSequence', [code('ms', 'UCUM', 'ms')])]]),
                SQ('ReferencedImageSequence', [[E('ReferencedSOPClassUID', SOP['MR']), E('ReferencedSOPInstanceUID', uid(5))]])]])]
        self.emit(rel, els, TS_EXPLICIT, 'Real World Value Mapping: Content Description, LUT Explanation')

    def f27_hanging(self):
        c = self.c
        pc, study = self.P['mg'], self.S['mg']
        inst = c.inst(5)
        st = c.staff()
        rpps = c.rpps(st)
        dept = c.dept()
        d = c.date('event', 2020, 2022)
        rel = self.begin('protocoles/HP_mammo.dcm')
        selectors = [[E('ImageSetSelectorUsageFlag', 'MATCH'), E('SelectorAttribute', 0x00100010, 'AT'),
                      E('SelectorAttributeVR', 'PN'), E('SelectorValueNumber', 1, 'US'),
                      E('SelectorPNValue', pc.name.pn(0))],
                     [E('ImageSetSelectorUsageFlag', 'MATCH'), E('SelectorAttribute', 0x00080050, 'AT'),
                      E('SelectorAttributeVR', 'SH'), E('SelectorValueNumber', 1, 'US'),
                      E('SelectorSHValue', study.acc())],
                     [E('ImageSetSelectorUsageFlag', 'MATCH'), E('SelectorAttribute', 0x00080080, 'AT'),
                      E('SelectorAttributeVR', 'LO'), E('SelectorValueNumber', 1, 'US'),
                      E('SelectorLOValue', inst())]]
        els = sop(SOP['HP'], uid(5), 'ISO_IR 100') + [
            E('HangingProtocolName', ('MG %s' % st.up())[:16]), E('HangingProtocolDescription', 'Mammo - préférences %s' % st.txt(1)),
            E('HangingProtocolLevel', 'USER'), E('HangingProtocolCreator', '%s - %s' % (st.txt(0), dept())),
            E('HangingProtocolCreationDateTime', d.dt(9, 0)), E('NumberOfPriorsReferenced', 1),
            SQ('HangingProtocolDefinitionSequence', [[E('Modality', 'MG'),
                                                      SQ('ProcedureCodeSequence', [code('MAMMO', '99MG', 'Mammo %s' % inst(inst.core))])]]),
            SQ('HangingProtocolUserIdentificationCodeSequence', [code(rpps(), 'RPPS', st.txt(6))]),
            E('HangingProtocolUserGroupName', 'Radiologues %s' % inst()),
            SQ('ImageSetsSequence', [[SQ('ImageSetSelectorSequence', selectors),
                                      SQ('TimeBasedImageSetsSequence', [[E('ImageSetNumber', 1, 'US'),
                                                                         E('ImageSetSelectorCategory', 'RELATIVE_TIME'),
                                                                         E('ImageSetLabel', 'Antérieurs %s %s' % (pc.name.surname, study.date.f('slash')))]])]]),
            E('NumberOfScreens', 1, 'US'),
            SQ('NominalScreenDefinitionSequence', [[E('NumberOfVerticalPixels', 2048, 'US'), E('NumberOfHorizontalPixels', 2560, 'US'),
                                                    E('DisplayEnvironmentSpatialPosition', [0, 0, 1, 1], 'FD'),
                                                    E('ScreenMinimumGrayscaleBitDepth', 10, 'US')]]),
            SQ('DisplaySetsSequence', [[E('DisplaySetNumber', 1, 'US'), E('DisplaySetLabel', 'Comparatif %s' % pc.name.txt(3)),
                                        E('DisplaySetPresentationGroup', 1, 'US'), E('ImageSetNumber', 1, 'US'),
                                        SQ('ImageBoxesSequence', [[E('ImageBoxNumber', 1, 'US'),
                                                                   E('DisplayEnvironmentSpatialPosition', [0, 0, 1, 1], 'FD'),
                                                                   E('ImageBoxLayoutType', 'SINGLE')]])]])]
        pc.name.use(pc.name.surname)
        self.emit(rel, els, TS_EXPLICIT, 'Hanging Protocol (no patient module): name/description/creator, user '
                  'identification code meaning + RPPS, user group name, image set selectors matching a patient name, '
                  'an accession number and an institution, Image Set Label, Display Set Label')

    def f28_palette(self):
        c = self.c
        inst = c.inst(1)
        st = c.staff()
        em = c.staff_email(st, inst)
        d = c.date('event', 2019, 2022)
        rel = self.begin('protocoles/PALETTE_%s.dcm' % st.up_raw(), [(st, st.up_raw())])
        lut = np.arange(256, dtype='<u2') * 257
        els = sop(SOP['PAL'], uid(5), 'ISO_IR 100') + [
            E('InstanceNumber', '1'), E('ContentLabel', 'PAL_%s' % st.up()[:12]),
            E('ContentDescription', 'Palette créée par %s' % st.txt(0)),
            E('ContentCreatorName', st.pn(2)),
            SQ('ContentCreatorIdentificationCodeSequence', [code('PAL', '99ANV', st.txt(2)) + [
                E('PersonTelecomInformation', 'mailto:%s' % em())]]),
            SQ('AlternateContentDescriptionSequence', [[E('ContentDescription', 'Palette made by %s on %s' % (st.txt(2), d.f('en'))),
                                                        SQ('LanguageCodeSequence', [code('en', 'RFC5646', 'English')])]]),
            E('PaletteColorLookupTableUID', uid(12)),
            E('RedPaletteColorLookupTableDescriptor', [256, 0, 16], 'US'),
            E('GreenPaletteColorLookupTableDescriptor', [256, 0, 16], 'US'),
            E('BluePaletteColorLookupTableDescriptor', [256, 0, 16], 'US'),
            E('RedPaletteColorLookupTableData', lut.tobytes(), 'OW'),
            E('GreenPaletteColorLookupTableData', lut[::-1].copy().tobytes(), 'OW'),
            E('BluePaletteColorLookupTableData', lut.tobytes(), 'OW'),
            E('Manufacturer', 'Atelier couleur %s' % inst()),
            E('ICCProfile', icc_profile('Palette %s <%s>' % (fold(st.txt(2)), em()), 'Copyright %s %d' % (fold(inst()), d.y),
                                        v4=True), 'OB')]
        self.emit(rel, els, TS_EXPLICIT, 'Color Palette (no patient): ICC profile (v4, UTF-16BE mluc) naming the '
                  'author and e-mail, Content Label/Description with e-mail, '
                  'Content Creator, alternate description, Manufacturer naming the institution; creator in folder name')

    def f29_raw(self):
        c = self.c
        inst = c.inst(0)
        pc = c.patient('M')
        st = [c.staff() for _ in range(2)]
        d = c.date('exam', 2019, 2023)
        pc.phone = c.phone('P%02d' % pc.k, mobile=True)
        em = c.email('P%02d' % pc.k, '%s.%s%d' % (fold(pc.name.given).lower(), fold(pc.name.surname).lower().replace(' ', ''), pc.k),
                     'mel-armor.fr')
        em.links = [(pc.name, pc.name.surname)]
        study = Study(c, pc, d, st[0])
        rel = self.begin('brut/RAW_0001.dcm')
        # private sequence in UN (implicit VR little endian inside, undefined length)
        inner_item = enc_ds([E('PatientName', pc.name.pn(4)), E('PatientBirthDate', pc.dob.da()),
                             E((0x0011, 0x0010), 'ACME nested', 'LO'), E((0x0011, 0x1001), pc.phone.f(1), 'LO')],
                            Ctx(False, True, 'latin-1'))
        un_seq = (struct.pack('<HHI', 0xFFFE, 0xE000, 0xFFFFFFFF) + inner_item + struct.pack('<HHI', 0xFFFE, 0xE00D, 0))
        inner2 = enc_ds([E((0x0013, 0x0010), 'ACME nested 2', 'LO'),
                         E((0x0013, 0x1010), 'Adressé par %s' % st[0].txt(1), 'LO'),
                         E('AccessionNumber', study.acc())], Ctx(False, True, 'latin-1'))
        un_undef = (struct.pack('<HHI', 0xFFFE, 0xE000, len(inner2)) + inner2 + struct.pack('<HHI', 0xFFFE, 0xE0DD, 0))
        xml16 = ('<Patient><Name>%s</Name><Mail>%s</Mail></Patient>' % (pc.name.txt(0), em())).encode('utf-16-le')
        zxml = zlib.compress(('<exam date="%s" operator="%s" site="%s"/>' % (d.f('iso'), st[1].txt(0), inst())).encode())
        import base64
        import gzip as _gz
        b64 = base64.b64encode(json.dumps({'ipp': pc.ipp(), 'nir': pc.nir()}).encode())
        gz = _gz.compress(('patient=%s;dob=%s' % (pc.name.txt(6), pc.dob.f('iso'))).encode(), mtime=0)
        els = sop(SOP['RAW'], uid(5), 'ISO_IR 100') + patient(pc) + study.elems() + series('OT', 1)
        els += equipment('Rawtech', 'RT-1') + [
            E('InstanceNumber', '1'), E('ContentDate', d.da()), E('ContentTime', '101000'),
            E('CreatorVersionUID', uid(13)),
            SQ('AcquisitionContextSequence', []),
            # block 1: odd creator spacing / case
            E((0x0029, 0x0010), ' ACME  raw DATA ', 'LO'),
            E((0x0029, 0x1001), un_seq, 'UN', undef=False),
            E((0x0029, 0x1002), xml16, 'OB'),
            E((0x0029, 0x1004), un_undef, 'UN', undef=True),
            # block 2: the same creator again (repeated private block)
            E((0x0029, 0x0011), 'acme raw data', 'LO'),
            E((0x0029, 0x1101), zxml, 'OB'),
            E((0x0029, 0x1102), b64.decode(), 'LT'),
            E((0x0029, 0x1103), gz, 'UN'),
            # block 3 in another group, creator with trailing NULs and mixed case
            E((0x0045, 0x0010), 'GEMS_Acqu_01\0\0', 'LO'),
            E((0x0045, 0x1001), 'Operateur %s' % st[1].txt(2), 'LO'),
            # a standard attribute written with VR UN
            E((0x0010, 0x2155), ('tel:%s' % pc.phone.f(9)).encode(), 'UN')]
        self.emit(rel, els, TS_EXPLICIT, 'Raw Data: private sequence with VR UN holding implicit-VR items; UTF-16 '
                  'XML in OB; zlib XML; base64 JSON in LT; gzip in UN; creators with odd spacing/case/NULs and a '
                  'repeated private block; Patient Telecom Information written with VR UN')

    def _waveform(self, n_ch, n_s, labels, group_label, sources, big=False):
        data = (np.arange(n_ch * n_s) % 200 - 100).astype('<i2')
        chans = []
        for k in range(n_ch):
            chans.append([SQ('ChannelSourceSequence', [sources[k % len(sources)]]),
                          E('ChannelSensitivity', 0.00125), SQ('ChannelSensitivityUnitsSequence', [code('mV', 'UCUM', 'mV')]),
                          E('ChannelSensitivityCorrectionFactor', 1), E('ChannelBaseline', 0), E('ChannelTimeSkew', 0),
                          E('WaveformBitsStored', 16), E('ChannelLabel', labels[k % len(labels)])])
        return [E('MultiplexGroupTimeOffset', 0.0), E('WaveformOriginality', 'ORIGINAL'),
                E('NumberOfWaveformChannels', n_ch), E('NumberOfWaveformSamples', n_s), E('SamplingFrequency', 500),
                E('MultiplexGroupLabel', group_label), SQ('ChannelDefinitionSequence', chans),
                E('WaveformBitsAllocated', 16), E('WaveformSampleInterpretation', 'SS'),
                E('WaveformData', data.tobytes(), 'OW')]

    def f30_ecg(self):
        c = self.c
        inst = c.inst(10)
        pc = c.patient('M')
        st = [c.staff() for _ in range(3)]
        ph = c.phone('S%02d' % st[0].k, mobile=True)
        d = c.date('exam', 2020, 2023)
        conf = c.date('event', 2020, 2023)
        study = Study(c, pc, d, st[2])
        rel = self.begin('cardio/ECG_repos.dcm')
        leads = ['I', 'II', 'III', 'aVR', 'aVL', 'aVF', 'V1', 'V2', 'V3', 'V4', 'V5', 'V6 (%s)' % st[1].surname[:8]]
        st[1].use(st[1].surname[:8])
        srcs = [code('5.6.3-9-1', 'SCPECG', 'Lead I')]
        wf = self._waveform(12, 20, leads, ('ECG %s' % pc.name.up())[:16], srcs)
        ann = [[E('UnformattedTextValue', 'QT long - appeler %s au %s' % (st[0].txt(1), ph.f(5))),
                E('ReferencedWaveformChannels', [1, 1], 'US'), E('AnnotationGroupNumber', 1, 'US')],
               [SQ('ConceptNameCodeSequence', [code('8625-6', 'LN', 'P-R interval')]),
                SQ('MeasurementUnitsCodeSequence', [code('ms', 'UCUM', 'ms')]), E('NumericValue', [162]),
                E('AnnotationGroupNumber', 1, 'US')],
               [E('UnformattedTextValue', 'Confirmé par %s le %s' % (st[1].txt(2), conf.f('dashfr'))),
                E('AnnotationGroupNumber', 2, 'US')]]
        els = sop(SOP['ECG'], uid(5), 'ISO_IR 100') + patient(pc) + study.elems() + series('ECG', 1)
        ward = c.dept()
        els += equipment('Cardiolix', 'CL-12 %s' % ward(), [E('InstitutionName', inst())]) + [
            E('InstanceNumber', '1'), E('ContentDate', d.da()), E('ContentTime', '081500'),
            E('AcquisitionDateTime', d.dt(8, 15)),
            SQ('AcquisitionContextSequence', [ac_item('TEXT', code('121106', 'DCM', 'Comment'),
                                                      [E('TextValue', 'Au repos, patient de %s' % st[2].txt(1))])]),
            SQ('WaveformSequence', [wf]), SQ('WaveformAnnotationSequence', ann)]
        self.emit(rel, els, TS_EXPLICIT, '12-lead ECG: Waveform Annotation Sequence (Unformatted Text Value), '
                  'Multiplex Group Label, a Channel Label, Acquisition Context text')

    def f31_hemo(self):
        c = self.c
        pc, study = self.P['cardio'], self.S['cardio']
        st = c.staff()
        rel = self.begin('cardio/%s/HEMO.dcm' % fold(pc.name.surname).upper(), [(pc.name, fold(pc.name.surname).upper())])
        srcs = [code('8867-4', 'LN', 'Heart rate'), code('8889-8', 'LN', 'Pulse rate')]
        wf = self._waveform(2, 30, ['AO', 'VG'], 'HEMO %s' % pc.name.up()[:10], srcs)
        ann = [[E('UnformattedTextValue', 'Mesure validée %s / IPP %s' % (st.txt(3), pc.ipp())),
                E('ReferencedWaveformChannels', [1, 2], 'US'), E('AnnotationGroupNumber', 1, 'US')]]
        els = sop(SOP['HEMO'], uid(5), 'ISO_IR 100') + patient(pc, 1) + study.elems() + series('HD', 2)
        els += equipment('Cathcorp', 'HD-3') + [
            E('InstanceNumber', '1'), E('ContentDate', study.date.da()), E('ContentTime', '091500'),
            SQ('AcquisitionContextSequence', []), SQ('WaveformSequence', [wf]), SQ('WaveformAnnotationSequence', ann)]
        self.emit(rel, els, TS_BIG, 'Hemodynamic waveform, explicit VR big endian: annotation text, multiplex '
                  'group label; surname in the folder')

    def f32_sc_deflate(self):
        c = self.c
        inst, inst2 = c.inst(0), c.inst(3)
        pc = c.patient('F')
        pc.addr = c.address('P%02d' % pc.k)
        pc.phone = c.phone('P%02d' % pc.k, mobile=False)
        pc.mob = c.phone('P%02d' % pc.k, mobile=True)
        spouse = c.relative('M')
        guard = c.relative('F')
        gph = c.phone('R%02d' % int(guard.id[1:3]), mobile=True)
        cons = c.staff()
        cons_addr = c.address('S%02d' % cons.k)
        cons_ph = c.phone('S%02d' % cons.k, mobile=False)
        cons_em = c.staff_email(cons, inst)
        rpps = c.rpps(cons)
        dept = c.dept()
        s_sc = c.serial('SC')
        em_it = c.staff_email(c.staff(), inst)
        old_ipp = c.other_id('patient-id-other-site', 10)
        d = c.date('exam', 2020, 2023)
        study = Study(c, pc, d, cons)
        rel = self.begin('capture/SC_deflate.dcm')
        a = gradient(32, 32, 50)
        n = pc.phone.n
        tel_split = ['0%s %s' % (n[0], n[1:3]), '%s %s %s' % (n[3:5], n[5:7], n[7:9])]
        pc.phone.use('\\'.join(tel_split))
        els = sop(SOP['SC'], uid(5), 'ISO_IR 100') + patient(pc, 1, [
            SQ('OtherPatientIDsSequence', [
                [E('PatientID', pc.nir()), E('IssuerOfPatientID', 'CPAM'), E('TypeOfPatientID', 'TEXT'),
                 SQ('IssuerOfPatientIDQualifiersSequence', [[E('UniversalEntityID', '1.2.250.1.213.1.4.8'),
                                                             E('UniversalEntityIDType', 'ISO'), E('IdentifierTypeCode', 'NH')]])],
                [E('PatientID', old_ipp()), E('IssuerOfPatientID', inst2.core.upper()), E('TypeOfPatientID', 'TEXT'),
                 SQ('IssuerOfPatientIDQualifiersSequence', [[SQ('AssigningFacilitySequence', [[
                     E('LocalNamespaceEntityID', 'Bureau des entrées %s' % inst2())]])]])]]),
            SQ('IssuerOfPatientIDQualifiersSequence', [[
                E('IdentifierTypeCode', 'PI'),
                SQ('AssigningFacilitySequence', [[E('LocalNamespaceEntityID', '%s - %s' % (inst(), dept()))]]),
                SQ('AssigningAgencyOrDepartmentCodeSequence', [code('BE', '99KERLANN', 'Admissions %s' % dept())])]]),
            E('PatientAddress', pc.addr()), E('PatientTelephoneNumbers', tel_split),
            E('PatientTelecomInformation', 'tel:%s\r\nmailto:%s' % (pc.mob.f(9), em_it())),
            E('ResponsiblePerson', guard.pn(1)), E('ResponsiblePersonRole', 'PARENT'),
            E('ResponsibleOrganization', inst()),
            E((0x0010, 0x0011), [Item([E((0x0010, 0x0012), 'Mme %s' % spouse.surname, 'LO'),
                                        E((0x0010, 0x0013), "Nom d'usage: %s (époux), joindre sa mère au %s" % (
                                            spouse.txt(0), gph.f(1)), 'UT')])], 'SQ')])
        spouse.use(spouse.surname)
        els += study.elems() + series('OT', 1) + equipment('Capturix', 'CX-1') + [
            E('ConsultingPhysicianName', cons.pn(2)),
            SQ('ConsultingPhysicianIdentificationSequence', [[
                SQ('PersonIdentificationCodeSequence', [code(rpps(), 'RPPS', cons.txt(0))]),
                E('PersonAddress', cons_addr()), E('PersonTelephoneNumbers', cons_ph.f(0)),
                E('PersonTelecomInformation', 'mailto:%s' % cons_em()), E('InstitutionName', inst()),
                E('InstitutionAddress', c.inst_address(inst)())]]),
            E('ConversionType', 'WSD'), E('SecondaryCaptureDeviceID', s_sc()),
            E('SecondaryCaptureDeviceManufacturer', '%s - informatique' % inst()),
            E('SecondaryCaptureDeviceManufacturerModelName', 'Capture %s' % dept()),
            E('SecondaryCaptureDeviceSoftwareVersions', ['3.0', 'support %s' % em_it()]),
            E('InstanceNumber', '1'), E('ContentDate', d.da()), E('BurnedInAnnotation', 'NO')]
        els += image_pixel(a)
        self.emit(rel, els, TS_DEFLATE, 'Secondary Capture, deflated: Other Patient IDs Sequence with Issuer of '
                  'Patient ID Qualifiers (Assigning Facility), top-level Issuer of Patient ID Qualifiers, Person '
                  'Names to Use Sequence (0010,0011-0013), phone split across two values, Telecom Information, '
                  'Responsible Person, Consulting Physician Identification (code meaning, address, phone, e-mail), '
                  'Secondary Capture Device manufacturer/model/ID/software versions')

    def f33_ct_original(self):
        c = self.c
        inst, inst2 = c.inst(5), c.inst(0)
        pc = c.patient('M')
        self.P['ct'] = pc
        old = Person('P%02d.name-old' % pc.k, 'patient-name', pc.name.surname.replace('q', 'c').replace('Q', 'C') + 'h',
                     pc.name.given)
        old_ipp = c.other_id('patient-id-old', 10)
        st = [c.staff() for _ in range(3)]
        rpps = c.rpps(st[1])
        sph = c.phone('S%02d' % st[1].k, mobile=False)
        d = c.date('exam', 2020, 2023)
        mod = c.date('event', 2020, 2023)
        dept = c.dept()
        s_anon = c.serial('PACS')
        study = Study(c, pc, d, st[0])
        self.S['ct'] = study
        rel = self.begin('ct/CT_0001.dcm')
        a = (gradient(32, 32, 60).astype(np.int16) * 8 - 1000)
        orig = [[SQ('ModifiedAttributesSequence', [[E('PatientName', old.pn(0)), E('PatientID', old_ipp()),
                                                     E('PatientBirthDate', pc.dob.da()),
                                                     E('OtherPatientNames', pc.name.pn(3))]]),
                 E('AttributeModificationDateTime', mod.dt(17, 5)), E('ModifyingSystem', 'PACS %s' % inst()),
                 E('SourceOfPreviousValues', inst2()), E('ReasonForTheAttributeModification', 'COERCE')],
                [SQ('NonconformingModifiedAttributesSequence', [[
                    E('SelectorAttribute', 0x00101040, 'AT'), E('SelectorValueNumber', 1, 'US'),
                    E('NonconformingDataElementValue', ('%s' % pc.name.txt(0)).encode('latin-1') + b'\x00\xff', 'OB')]]),
                 E('AttributeModificationDateTime', mod.dt(17, 6)), E('ModifyingSystem', 'DCM-FIX'),
                 E('SourceOfPreviousValues', ''), E('ReasonForTheAttributeModification', 'CORRECT')]]
        contrib = [[SQ('PurposeOfReferenceCodeSequence', [code('109103', 'DCM', 'Modifying Equipment')]),
                    E('Manufacturer', '%s - cellule PACS' % inst()), E('InstitutionName', inst()),
                    E('InstitutionAddress', c.inst_address(inst)()), E('StationName', 'PACS-%s' % inst.ae(10)),
                    E('InstitutionalDepartmentName', dept()),
                    E('ManufacturerModelName', 'Anonymiseur maison (%s)' % st[1].txt(2)),
                    E('SoftwareVersions', ['1.4', inst.host]), E('DeviceSerialNumber', s_anon()),
                    E('ContributionDateTime', mod.dt(17, 5)),
                    E('ContributionDescription', 'Fusion de dossiers par %s' % st[2].txt(0)),
                    E('OperatorsName', st[1].pn(0)),
                    SQ('OperatorIdentificationSequence', [[
                        SQ('PersonIdentificationCodeSequence', [code(rpps(), 'RPPS', st[1].txt(6))]),
                        E('PersonTelephoneNumbers', sph.f(3)), E('InstitutionName', inst())]])]]
        els = sop(SOP['CT'], uid(5), 'ISO_IR 100') + patient(pc) + study.elems() + series('CT', 2)
        els += equipment('Tomodyne', 'TD-64') + [
            E('ImageType', ['ORIGINAL', 'PRIMARY', 'AXIAL']), E('InstanceNumber', '1'),
            E('KVP', '120'), E('ConvolutionKernel', 'B30f'), E('ImagePositionPatient', [0, 0, 0]),
            E('ImageOrientationPatient', [1, 0, 0, 0, 1, 0]), E('FrameOfReferenceUID', uid(9)),
            E('PixelSpacing', [0.7, 0.7]), E('SliceThickness', 1), E('RescaleIntercept', 0), E('RescaleSlope', 1),
            SQ('OriginalAttributesSequence', orig), SQ('ContributingEquipmentSequence', contrib)]
        els += image_pixel(a, bits=16, signed=True)
        self.emit(rel, els, TS_EXPLICIT, 'CT: Original Attributes Sequence (Modified Attributes with a former '
                  'name spelling and former IPP, Nonconforming Data Element Value OB), Contributing Equipment '
                  'Sequence (Manufacturer naming the institution, model naming a person, serial, operator '
                  'identification with RPPS and phone)')

    def f34_mr_implicit(self):
        c = self.c
        pc, study = self.P['ct'], self.S['ct']
        inst = c.inst(5)
        st = [c.staff() for _ in range(4)]
        ph = c.phone('P%02d' % pc.k, mobile=True)
        dept = c.dept()
        pps = c.date('exam', 2020, 2023)
        rel = self.begin('mr/MR_0001.dcm')
        a = gradient(32, 32, 70).astype(np.uint16) * 10
        priv_items = [Item([E((0x0019, 0x1010), 'Operateur %s' % st[3].txt(0), 'LO'),
                            E((0x0019, 0x1011), 'Joindre au %s' % ph.f(8), 'LO')], undef=True),
                      Item([E((0x0019, 0x1010), 'Protocole %s' % dept(), 'LO')])]
        els = sop(SOP['MR'], uid(5), 'ISO_IR 100') + patient(pc, 2) + study.elems() + series('MR', 3)
        els += equipment('Magnetix', 'MX-3T') + [
            E('ImageType', ['ORIGINAL', 'PRIMARY', 'M']), E('InstanceNumber', '1'),
            E('ScanningSequence', 'SE'), E('SequenceVariant', 'NONE'), E('ScanOptions', ''), E('MRAcquisitionType', '2D'),
            E('EchoTime', '90'), E('RepetitionTime', '4000'), E('MagneticFieldStrength', '3'),
            E('ReceiveCoilName', 'B18 %s' % inst(inst.core)), E('AcquisitionProtocolName' if False else (0x0018, 0x9423),
                                                                   'Prostate mp %s' % st[0].use(st[0].surname), 'LO'),
            E('ProtocolName', 'PROSTATE %s' % st[0].up()),
            E('WindowCenter', 300), E('WindowWidth', 600), E('WindowCenterWidthExplanation', 'Preset %s' % st[1].txt(2)),
            SQ('PerformedProtocolCodeSequence', [code('PR-MP', '99MORGOAT', 'IRM prostate - protocole %s' % st[1].txt(5))]),
            SQ('ProcedureCodeSequence', [code('ZCQJ004', 'CCAM', 'IRM pelvis (%s)' % inst())]),
            SQ('RequestAttributesSequence', [[E('RequestedProcedureID', 'RP%s' % study.acc()),
                                              E('ScheduledProcedureStepID', 'SPS1'),
                                              E('ScheduledProcedureStepDescription', 'IRM %s' % pc.name.txt(3)),
                                              SQ('ScheduledProtocolCodeSequence', [code('PR-MP', '99MORGOAT', 'Protocole %s' % st[2].txt(2))])]]),
            E('PerformedProcedureStepStartDate', pps.da()), E('PerformedProcedureStepID', 'PPS%s' % study.acc()),
            E('PerformedProcedureStepDescription', 'IRM prostate %s' % pc.name.up()),
            E('PerformedStationName', 'MR1-%s' % inst.ae(10)), E('PerformedLocation', dept()[:16]),
            E((0x0019, 0x0010), 'MAGNETIX MR HEADER', 'LO'), SQ((0x0019, 0x1001), priv_items, undef=True),
            E((0x0019, 0x1002), 'Technicien %s' % st[3].txt(2), 'LT')]
        els += image_pixel(a, bits=16)
        self.emit(rel, els, TS_IMPLICIT, 'MR, implicit VR: private sequence (undefined length) with text items, '
                  'Performed Protocol / Procedure / Scheduled Protocol code meanings, Window explanation, Receive '
                  'Coil Name, Acquisition Protocol Name, Protocol Name, Request Attributes, PPS attributes')

    def _simple_image(self, pc, study, cls, modality, charset, extra, a=None, series_desc=None, ts=TS_EXPLICIT,
                      rel=None, note='', style=0, pn_override=None, manufacturer='Genericorp Medical'):
        a = gradient(32, 32, len(FILES)) if a is None else a
        els = sop(SOP[cls], uid(5), charset)
        if pn_override is not None:
            els += [E('PatientName', pn_override), E('PatientID', pc.ipp()), E('PatientBirthDate', pc.dob.da()),
                    E('PatientSex', pc.sex)]
        else:
            els += patient(pc, style)
        els += study.elems() + series(modality, 1 + len(FILES) % 7, series_desc) + equipment(manufacturer)
        els += [E('InstanceNumber', '1'), E('ContentDate', study.date.da()), E('ContentTime', '100000')]
        if cls in ('SC',):
            els.append(E('ConversionType', 'WSD'))
        els += list(extra)
        els += image_pixel(a, bits=8 if a.dtype == np.uint8 else 16)
        self.emit(rel, els, ts, note)

    def f35_japanese(self):
        c = self.c
        k = c.count('patient')
        dob = c.date('birth', 1950, 1964)
        name = Person('P%02d.name' % k, 'patient-name', '濵之内', '甯子', ['濵之内'], 'F')
        jis_needles(name, ['濵之内', 'はまのうち', 'ハマノウチ', '濵之内 甯子'])
        name.add_needle('bytes_hex', jis_encode('濵之内').hex())
        pc = type('PC', (), {})()
        pc.k, pc.sex, pc.name, pc.dob = k, 'F', name, dob
        pc.ipp = c.other_id('patient-id-ipp', 10)
        pc.ipp.category = 'patient-id-ipp'
        if not hasattr(self, 'jp_staff'):
            self.jp_staff = None
        ref = Person('S%02d.name' % (c.count('staff') + 500), 'staff-name', '磯野部', '勝', ['磯野部'], 'M')
        jis_needles(ref, ['いしのべ', 'イシノベ'])
        op = Person('S%02d.name' % (c.count('staff') + 500), 'staff-name', '鷹森', '祥子', ['鷹森'], 'F')
        jis_needles(op, ['タカモリ', '鷹森'])
        inst = gen_ident('I%02d.name' % 20, 'institution', '潮見ヶ丘記念病院', text=[norm('潮見ヶ丘記念病院')])
        addr = gen_ident('P%02d.address' % k, 'address', '架空県湊町字椿坂4-12-7', text=[norm('湊町字椿坂')])
        exam = c.date('exam', 2020, 2023)
        study = Study(c, pc, exam, None)
        rel = self.begin('japon/CR_0001.dcm')
        e_era, e_y = era_jp(exam.y, exam.m, exam.d)
        b_era, b_y = era_jp(dob.y, dob.m, dob.d)
        pn = jis_encode('%s^%s=%s^%s=%s^%s' % ('ﾊﾏﾉｳﾁ', 'ﾔｽｺ', name.use('濵之内'), '甯子', 'はまのうち', 'やすこ'))
        ref_pn = jis_encode('ｲｼﾉﾍﾞ^ﾏｻﾙ=%s^勝=いしのべ^まさる' % ref.use('磯野部'))
        op_pn = jis_encode('ﾀｶﾓﾘ^ｼｮｳｺ')
        op.use('ﾀｶﾓﾘ')
        desc = jis_encode('%s %s様' % (date_custom(exam, '%s%d年%d月%d日' % (e_era, e_y, exam.m, exam.d)),
                                             name.use('濵之内')))
        comments = jis_encode('%s生 %s' % (date_custom(dob, '%s%d年%d月%d日' % (b_era, b_y, dob.m, dob.d)),
                                         addr()))
        els = sop(SOP['CR'], uid(5), ['ISO 2022 IR 13', 'ISO 2022 IR 87', 'ISO 2022 IR 159'])
        els += [E('PatientName', pn), E('PatientID', pc.ipp()), E('PatientBirthDate', dob.da()), E('PatientSex', 'F'),
                E('PatientAddress', jis_encode(addr())), E('PatientComments', comments),
                E('StudyInstanceUID', study.uid), E('StudyDate', exam.da()), E('StudyTime', '090000'),
                E('ReferringPhysicianName', ref_pn), E('StudyID', '1'), E('AccessionNumber', study.acc()),
                E('StudyDescription', desc), E('OperatorsName', op_pn),
                E('InstitutionName', jis_encode(inst())),
                SQ('PerformedProtocolCodeSequence', [[E('CodeValue', 'CHEST'), E('CodingSchemeDesignator', '99JP'),
                                                      E('CodeMeaning', jis_encode('胸部正面 (%s先生)' % ref.use('磯野部')))]])]
        els += series('CR', 1) + equipment('Nihon Imaging') + [E('InstanceNumber', '1')]
        els += image_pixel(gradient(32, 32, 77))
        self.emit(rel, els, TS_EXPLICIT, 'CR with ISO 2022 IR 13 + IR 87 + IR 159: PN with three component groups '
                  '(half-width katakana, kanji with a JIS X 0212 character, hiragana), Japanese era dates in '
                  'Study Description and Patient Comments, kanji address, institution, code meaning')

    def f36_latin2(self):
        c = self.c
        pc = c.patient('F', 'Wąsowiczówna', ['Wąsowiczówna'], 'Żaneta')
        pc.name.add_needle('bytes_hex', 'Wąsowiczówna'.encode('iso8859_2').hex())
        st = Person('S%02d.name' % (c.count('staff') + 500), 'staff-name', 'Hrdličkovská', 'Zdeňka', sex='F')
        st.add_needle('bytes_hex', 'Hrdličkovská'.encode('iso8859_2').hex())
        mother = Person('R%02d.name' % (c.count('relative') + 500), 'relative-name', 'Ścibiorkówna', 'Bożena', sex='F')
        inst = gen_ident('I%02d.name' % 21, 'institution', 'Szpital Powiatowy w Kępiczynie Dolnej',
                         word=[norm('Kępiczynie')])
        addr = gen_ident('P%02d.address' % pc.k, 'address', 'ul. Źrebięca 14, 64-211 Gołębiewo Wąskie',
                         word=[norm('Źrebięca'), norm('Gołębiewo')])
        exam = c.date('exam', 2020, 2023)
        cal = c.date('calibration', 2019, 2022)
        study = Study(c, pc, exam, None)
        rel = self.begin('polska/DX_0001.dcm')
        extra = [E('PatientAddress', addr()), E('PatientMotherBirthName', mother.pn(0)),
                 E('PerformingPhysicianName', st.pn(0)), E('InstitutionName', inst()),
                 E('StudyDescription', 'RTG klatki piersiowej %s, %s' % (
                     pc.name.txt(0), date_custom(exam, '%d %s %d' % (exam.d, PL_MONTHS[exam.m - 1], exam.y)))),
                 E('DetectorDescription', 'Kalibracja: %s, %s' % (st.txt(0), date_custom(
                     cal, '%d %s %d' % (cal.d, PL_MONTHS[cal.m - 1], cal.y)))),
                 E('AcquisitionDeviceProcessingDescription', 'Obróbka: %s' % st.txt(2)),
                 E('ImageType', ['ORIGINAL', 'PRIMARY']), E('PresentationIntentType', 'FOR PRESENTATION'),
                 E('ImageLaterality', 'U'), E('PatientOrientation', ['A', 'F']), E('PresentationLUTShape', 'IDENTITY'),
                 E('BurnedInAnnotation', 'NO'), E('DetectorType', 'SCINTILLATOR')]
        self._simple_image(pc, study, 'DX', 'DX', 'ISO_IR 101', extra, rel=rel,
                           note='DX in ISO_IR 101 (Latin-2): Polish/Czech names, address, institution, '
                                'Polish date in words, Detector Description')

    def f37_cyrillic(self):
        c = self.c
        pc = c.patient('F', 'Ржевуцкая', ['Ржевуцкая'], 'Ангелина', )
        pc.name.add_needle('word', 'rzhevutskaya')
        pc.name.add_needle('word', 'rjevoutskaia')
        pc.name.add_needle('bytes_hex', 'Ржевуцкая'.encode('iso8859_5').hex())
        st = Person('S%02d.name' % (c.count('staff') + 500), 'staff-name', 'Пустовойтенко', 'Лариса', sex='F')
        st.add_needle('bytes_hex', 'Пустовойтенко'.encode('iso8859_5').hex())
        rel_ = Person('R%02d.name' % (c.count('relative') + 500), 'relative-name', 'Белокопытов', 'Игнат', sex='M')
        inst = gen_ident('I%02d.name' % 22, 'institution', 'Городская больница № 7 г. Заречноград',
                         word=[norm('Заречноград')])
        addr = gen_ident('P%02d.address' % pc.k, 'address', 'ул. Тополиная, д. 17, пос. Кукушкино-Заозерье',
                         word=[norm('Тополиная'), norm('Кукушкино')])
        exam = c.date('exam', 2020, 2023)
        lot = c.serial('LOT')
        study = Study(c, pc, exam, None)
        rel = self.begin('russie/NM_0001.dcm')
        ru_date = date_custom(exam, '%d %s %d' % (exam.d, RU_MONTHS[exam.m - 1], exam.y))
        extra = [E('PatientAddress', addr()), E('ResponsiblePerson', rel_.pn(0)), E('ResponsiblePersonRole', 'CHILD'),
                 E('OperatorsName', st.pn(3)), E('InstitutionName', inst()),
                 E('StudyDescription', 'Сцинтиграфия скелета %s от %s г.' % (pc.name.txt(0), ru_date)),
                 E('SeriesDescription', 'Bone scan %s (%s)' % (pc.name.use('Rzhevutskaya'), pc.name.use('Rjevoutskaia'))),
                 E('ImageType', ['ORIGINAL', 'PRIMARY', 'STATIC', 'EMISSION']),
                 E('NumberOfFrames', '1'), E('FrameIncrementPointer', 0x00540010, 'AT'),
                 E('EnergyWindowVector', [1], 'US'), E('NumberOfEnergyWindows', 1, 'US'),
                 E('DetectorVector', [1], 'US'), E('NumberOfDetectors', 1, 'US'),
                 SQ('DetectorInformationSequence', [[E('CollimatorGridName', 'LEHR-%s' % rel_.use('Белокопытов')[:8])]]),
                 SQ('RadiopharmaceuticalInformationSequence', [[
                     E('Radiopharmaceutical', '99mTc-MDP партия %s' % lot()),
                     E('RadiopharmaceuticalStartDateTime', exam.dt(8, 0)), E('RadionuclideTotalDose', '600')]])]
        self._simple_image(pc, study, 'NM', 'NM', 'ISO_IR 144', extra, rel=rel,
                           note='NM in ISO_IR 144 (Cyrillic): names, address, institution, Russian date in words, '
                                'Latin transliterations of the name in Series Description, radiopharmaceutical lot, '
                                'Collimator/grid Name')

    def f38_greek(self):
        c = self.c
        pc = c.patient('F', 'Ξενοφωντίδου', ['Ξενοφωντίδου'], 'Ελπίδα')
        pc.name.add_needle('word', 'xenofontidou')
        st = Person('S%02d.name' % (c.count('staff') + 500), 'staff-name', 'Καραγκιοζίδης', 'Σπύρος', sex='M')
        inst = gen_ident('I%02d.name' % 23, 'institution', 'Γενικό Νοσοκομείο Καλαμοχωρίου', word=[norm('Καλαμοχωρίου')])
        exam = c.date('exam', 2020, 2023)
        study = Study(c, pc, exam, None)
        rel = self.begin('grece/SC_0001.dcm')
        g = greek_encode2
        pn = g('%s^%s' % (pc.name.use('Ξενοφωντίδου'), 'Ελπίδα'))
        el_date = date_custom(exam, '%d %s %d' % (exam.d, EL_MONTHS[exam.m - 1], exam.y))
        extra_ = [E('ReferringPhysicianName', g(st.pn(3))), E('InstitutionName', g(inst())),
                  E('StudyDescription', g('%s, %s (%s)' % (pc.name.use('Ξενοφωντίδου'), el_date,
                                                                           pc.name.use('Xénofontidou'))))]
        # PatientName override: encoded bytes
        els = sop(SOP['SC'], uid(5), ['ISO 2022 IR 100', 'ISO 2022 IR 126'])
        els += [E('PatientName', pn), E('PatientID', pc.ipp()), E('PatientBirthDate', pc.dob.da()), E('PatientSex', 'F')]
        els += [E('StudyInstanceUID', study.uid), E('StudyDate', exam.da()), E('StudyTime', '090000'), E('StudyID', '1'),
                E('AccessionNumber', study.acc())] + extra_
        els += series('OT', 1) + equipment('Genericorp Medical') + [E('InstanceNumber', '1'), E('ConversionType', 'WSD')]
        els += image_pixel(gradient(32, 32, 88))
        self.emit(rel, els, TS_EXPLICIT, 'SC in ISO 2022 IR 100 + IR 126 (Greek via ESC - F, back to Latin-1 '
                  'via ESC - A): names, institution, Greek date in words, Latin spelling of the name')

    def f39_korean(self):
        c = self.c
        k = c.count('patient')
        dob = c.date('birth', 1950, 1989)
        name = Person('P%02d.name' % k, 'patient-name', 'Jegal', 'Soyun', ['Jegal'], 'F')
        jis_needles(name, ['제갈 소윤', '諸葛 昭允', '제갈소윤'])
        name.add_needle('bytes_hex', '제갈'.encode('euc_kr').hex())
        pc = type('PC', (), {})()
        pc.k, pc.sex, pc.name, pc.dob = k, 'F', name, dob
        pc.ipp = c.other_id('patient-id-ipp', 10)
        pc.ipp.category = 'patient-id-ipp'
        inst = gen_ident('I%02d.name' % 24, 'institution', '가상시립소망병원', text=[norm('가상시립소망병원')])
        exam = c.date('exam', 2020, 2023)
        study = Study(c, pc, exam, None)
        rel = self.begin('coree/MR_0001.dcm')
        pn = ks_encode('%s^Soyun=%s^昭允=%s^소윤' % (name.use('Jegal'), name.use('諸葛'), name.use('제갈')))
        kdate = date_custom(exam, '%d년 %d월 %d일' % (exam.y, exam.m, exam.d))
        extra = [E('InstitutionName', ks_encode(inst())),
                 E('StudyDescription', ks_encode('뇌 MRI %s %s' % (kdate, name.use('제갈소윤'))))]
        self._simple_image(pc, study, 'MR', 'MR', ['', 'ISO 2022 IR 149'], extra, rel=rel, pn_override=pn,
                           note='MR in ISO 2022 IR 149 (Korean): PN with Hangul and Hanja groups, institution, '
                                'Korean date in Study Description')

    def f40_chinese(self):
        c = self.c
        k = c.count('patient')
        dob = c.date('birth', 1950, 1989)
        name = Person('P%02d.name' % k, 'patient-name', 'Ouyang', 'Huilin', ['Ouyang Huilin'], 'F')
        jis_needles(name, ['欧阳 慧琳', '欧阳慧琳'])
        name.needles['word'] = []
        name.needles['joined'] = ['ouyanghuilin']
        name.add_needle('text', 'ouyang huilin')
        name.add_needle('bytes_hex', '欧阳慧琳'.encode('gb18030').hex())
        pc = type('PC', (), {})()
        pc.k, pc.sex, pc.name, pc.dob = k, 'F', name, dob
        pc.ipp = c.other_id('patient-id-ipp', 10)
        pc.ipp.category = 'patient-id-ipp'
        inst = gen_ident('I%02d.name' % 25, 'institution', '虚构市第三人民医院', text=[norm('虚构市第三人民医院')])
        exam = c.date('exam', 2020, 2023)
        study = Study(c, pc, exam, None)
        rel = self.begin('chine/CT_0001.dcm')
        zdate = date_custom(exam, '%d年%d月%d日' % (exam.y, exam.m, exam.d))
        pn = name.use('Ouyang^Huilin=欧阳^慧琳')
        extra = [E('InstitutionName', inst()), E('StudyDescription', '胸部CT %s %s' % (zdate, name.use('欧阳慧琳'))),
                 E('ImageType', ['ORIGINAL', 'PRIMARY', 'AXIAL']), E('RescaleIntercept', -1024), E('RescaleSlope', 1)]
        self._simple_image(pc, study, 'CT', 'CT', 'GB18030', extra, rel=rel, pn_override=pn,
                           a=gradient(32, 32, 91).astype(np.uint16) * 12,
                           note='CT in GB18030: PN with an ideographic group, institution, Chinese date')

    def f41_utf8_tricks(self):
        c = self.c
        pc = c.patient('M')
        st = c.staff()
        rel_ = c.relative('F')
        exam = c.date('exam', 2020, 2023)
        study = Study(c, pc, exam, None)
        rel = self.begin('divers/SC_unicode.dcm')
        sur = pc.name.surname
        full = ''.join(chr(ord(ch) - 0x21 + 0xFF01) if 'A' <= ch <= 'Z' else ch for ch in fold(sur).upper())
        pc.name.use(full)
        zw = ZWSP.join(sur)
        pc.name.use(zw)
        nfd = unicodedata.normalize('NFD', st.txt(0))
        bold = ''.join(chr(0x1D400 + ord(ch) - 65) if 'A' <= ch <= 'Z' else chr(0x1D41A + ord(ch) - 97) if 'a' <= ch <= 'z' else ch
                       for ch in fold(rel_.surname))
        rel_.use(bold)
        homo = fold(st.surname).translate(str.maketrans({'a': 'а', 'e': 'е', 'o': 'о', 'c': 'с', 'p': 'р', 'i': 'і'}))
        st.use(homo)
        extra = [E('StudyDescription', 'Contrôle de M. %s' % zw),
                 E('SeriesDescription', 'Série de %s' % nfd),
                 E('ImageComments', 'Vu avec \u2066%s\u2069 (sa fille), %s' % (WJ.join(rel_.txt(0)), exam.f('en'))),
                 E('DerivationDescription', 'Dérivé pour %s' % bold),
                 E('ProtocolName', 'Protocole %s' % homo),
                 SQ('AnatomicRegionSequence', [code('T1', '99X', 'Thorax %s' % invis(sur, SHY))])]
        pc.name.use(sur)
        self._simple_image(pc, study, 'SC', 'OT', 'ISO_IR 192', extra, rel=rel,
                           pn_override='%s^%s' % (full, pc.name.given),
                           note='SC in UTF-8: full-width Latin name, zero-width spaces between letters, NFD '
                                'accents, mathematical bold letters, word joiners and bidi isolates, soft hyphen '
                                'in a code meaning, Cyrillic homoglyphs in a protocol name')


    def f42_byte_tricks(self):
        c = self.c
        inst = c.inst(0)
        pc = c.patient('M')
        pc.phone = c.phone('P%02d' % pc.k, mobile=True)
        st = [c.staff() for _ in range(3)]
        exam = c.date('exam', 2020, 2023)
        study = Study(c, pc, exam, None)
        rel = self.begin('divers/CR_octets.dcm')
        up = pc.name.up()
        sur = fold(pc.name.needles['word'][0]).upper().replace(' ', '')
        half = len(sur) // 2
        pc.name.use(sur[:half] + '\\' + sur[half:])
        n = pc.phone.n
        split_tel = ['0%s %s %s' % (n[0], n[1:3], n[3:5]), '%s %s' % (n[5:7], n[7:9])]
        pc.phone.use('\\'.join(split_tel))
        nulmod = b'CR\x00' + up.encode()
        if len(nulmod) % 2:
            nulmod += b'\x00'
        nulbp = b'CHEST\x00' + pc.ipp().encode()
        if len(nulbp) % 2:
            nulbp += b'\x00'
        nulman = b'Genericorp\x00\x00' + fold(inst()).encode()
        if len(nulman) % 2:
            nulman += b'\x00'
        els = sop(SOP['CR'], uid(5), 'ISO_IR 100') + [
            E('PatientName', pc.name.pn(0)), E('PatientID', pc.ipp()), E('PatientBirthDate', pc.dob.da()),
            E('PatientSex', 'M'), E('OtherPatientNames', [sur[:half], sur[half:]]),
            E('PatientTelephoneNumbers', split_tel),
            El(0x00100021, 'LO', 'CPAM %s' % inst(), wire_vr='UT'),
            E('StudyInstanceUID', study.uid), E('StudyDate', exam.da()), E('StudyTime', '100000'),
            E('ReferringPhysicianName', st[0].pn(0)), E('StudyID', '1'), E('AccessionNumber', study.acc()),
            E('SeriesInstanceUID', uid(4)), E('SeriesNumber', '1'),
            El(0x00080060, 'CS', nulmod, raw=True), El(0x00180015, 'CS', nulbp, raw=True),
            El(0x00080070, 'LO', nulman, raw=True),
            E('ImageType', ['ORIGINAL', 'PRIMARY', '', st[1].up()[:16]]),
            E('StationName', 'CR1'), E('InstanceNumber', '1'),
            E('ViewPosition', 'PA'), E('PatientOrientation', ['L', 'F']),
            E((0x0018, 0x1030), 'THORAX\r\n%s' % st[2].txt(1), 'LO')]
        els += image_pixel(gradient(32, 32, 101))
        self.emit(rel, els, TS_EXPLICIT, 'CR with byte-level tricks: identifiers after a NUL inside Modality, Body '
                  'Part Examined and Manufacturer (values a C-string reader sees as CR / CHEST / Genericorp); a '
                  'name split across two values of Other Patient Names and a phone split across two values; an '
                  'empty value followed by a name in Image Type; Issuer of Patient ID written with VR UT; CR LF '
                  'inside Protocol Name')

    def f42b_odd_length(self):
        c = self.c
        pc = c.patient('F')
        st = c.staff()
        exam = c.date('exam', 2020, 2023)
        study = Study(c, pc, exam, None)
        rel = self.begin('divers/CR_impair.dcm')
        pn_odd = ('%s^%s' % (pc.name.up(), fold(pc.name.given))).encode()
        if len(pn_odd) % 2 == 0:
            pn_odd += b'^'
        ref = st.pn(0).encode('latin-1')
        if len(ref) % 2 == 0:
            ref += b'^'
        els = sop(SOP['CR'], uid(5), 'ISO_IR 100') + [
            El(0x00100010, 'PN', pn_odd, raw=True), E('PatientID', pc.ipp()), E('PatientBirthDate', pc.dob.da()),
            E('PatientSex', 'F'), E('StudyInstanceUID', study.uid), E('StudyDate', exam.da()), E('StudyTime', '100000'),
            El(0x00080090, 'PN', ref, raw=True), E('StudyID', '1'), E('AccessionNumber', study.acc())]
        els += series('CR', 1) + equipment('Genericorp Medical') + [E('InstanceNumber', '1'), E('ViewPosition', 'AP')]
        els += image_pixel(gradient(32, 32, 102))
        self.emit(rel, els, TS_EXPLICIT, 'CR with odd-length (unpadded) Patient Name and Referring Physician Name')

    def f43_preamble_meta(self):
        c = self.c
        inst = c.inst(1)
        pc = c.patient('F')
        self.P['pre'] = pc
        st = [c.staff() for _ in range(3)]
        em = c.staff_email(st[1], inst)
        rpps = c.rpps(st[2])
        cem = c.staff_email(st[2], inst)
        exam = c.date('exam', 2020, 2023)
        study = Study(c, pc, exam, st[0])
        self.S['pre'] = study
        rel = self.begin('divers/SC_preambule.dcm')
        s1 = ('Pt %s IPP %s' % (pc.name.up(), pc.ipp())).encode()[:48] + b'\0'
        s2 = fold(st[0].txt(2)).encode()[:28] + b'\0'
        ifd_off = 8
        n = 2
        data_off = ifd_off + 2 + 12 * n + 4
        pre = bytearray(b'II*\x00' + struct.pack('<I', ifd_off))
        pre += struct.pack('<H', n)
        pre += struct.pack('<HHII', 0x010E, 2, len(s1), data_off)
        pre += struct.pack('<HHII', 0x013B, 2, len(s2), data_off + len(s1))
        pre += b'\0\0\0\0' + s1 + s2
        assert len(pre) <= 128, len(pre)
        priv_info = ('<sender>%s</sender><pid>%s</pid><site>%s</site>' % (em(), pc.ipp(), inst())).encode()
        meta = [E((0x0002, 0x0016), ('%s_CT1' % inst.ae(16))[:16], 'AE'),
                E((0x0002, 0x0017), ('%s_PC' % st[1].up())[:16], 'AE'),
                E((0x0002, 0x0018), 'ARCHIVE', 'AE'),
                E((0x0002, 0x0100), '1.2.250.1.999.77', 'UI'), E((0x0002, 0x0102), priv_info, 'OB')]
        cert = fake_certificate([('CN', st[2].txt(0)), ('O', inst()), ('E', cem()), ('serialNumber', rpps())],
                                [('CN', 'IGC-Santé AC Classe-2'), ('O', 'ASIP-Santé')], b'\x01\x23\x45',
                                '210101000000Z', '260101000000Z')
        els = sop(SOP['SC'], uid(5), 'ISO_IR 100') + patient(pc) + study.elems() + series('OT', 1)
        els += equipment('Capturix') + [E('ConversionType', 'WSD'), E('InstanceNumber', '1')]
        els += image_pixel(gradient(32, 32, 111))
        els += [E((0x7FE1, 0x0010), 'ACME CSA DATA', 'LO'),
                E((0x7FE1, 0x1010), ('operator=%s;dob=%s' % (fold(st[0].txt(7)), pc.dob.f('iso'))).encode(), 'OB'),
                SQ((0xFFFA, 0xFFFA), [[E('MACIDNumber', 1), E('MACCalculationTransferSyntaxUID', TS_EXPLICIT),
                                       E('MACAlgorithm', 'SHA256'), E('DataElementsSigned', [0x00100010, 0x00100020], 'AT'),
                                       E('DigitalSignatureUID', uid(14)), E('DigitalSignatureDateTime', exam.dt(12, 0)),
                                       E('CertificateType', 'X509_1993_SIG'), E('CertificateOfSigner', cert, 'OB'),
                                       E('Signature', bytes(range(64)), 'OB')]]),
                E((0xFFFC, 0xFFFC), ('IPP %s %s' % (pc.ipp(), pc.name.txt(6))).encode('latin-1') + b'\0' * 6, 'OB')]
        self.emit(rel, els, TS_EXPLICIT, 'SC with identifiers in the preamble (a TIFF header with '
                  'ImageDescription/Artist), file meta (Source/Sending AE titles, Private Information), a private '
                  'group after Pixel Data, a Digital Signatures Sequence with a certificate naming the signer, '
                  'Data Set Trailing Padding', preamble=bytes(pre), meta_extra=meta)

    def f44_command_group(self):
        c = self.c
        inst = c.inst(3)
        pc, study = self.P['pre'], self.S['pre']
        rel = self.begin('divers/SC_commande.dcm')
        extra = [E((0x0000, 0x0902), 'Doublon %s / %s' % (pc.name.txt(3), pc.ipp()), 'LO'),
                 E((0x0000, 0x1030), ('%s_RIS' % inst.ae(16))[:16], 'AE'),
                 E((0x0000, 0x1031), 7, 'US')]
        self._simple_image(pc, study, 'SC', 'OT', 'ISO_IR 100', extra, rel=rel, style=1,
                           note='SC carrying command group elements (0000,0902) Error Comment and (0000,1030) Move '
                                'Originator AE Title')

    def f45_jpegls(self):
        c = self.c
        inst = c.inst(3)
        pc = c.patient('F')
        self.P['ls'] = pc
        st = [c.staff() for _ in range(2)]
        exam = c.date('exam', 2020, 2023)
        study = Study(c, pc, exam, st[0])
        self.S['ls'] = study
        rel = self.begin('ct/CT_jpegls.dcm')
        a = gradient(32, 32, 120).astype(np.uint16) * 9
        cs = dcmtk_compress(a, 16, 'jpegls', self.tmp)
        cs = jpeg_insert(cs, [seg(0xFE, ('Protocole %s / %s' % (fold(st[1].txt(1)), fold(inst()))).encode()),
                              seg(0xEB, ('ACQ pid=%s name=%s' % (pc.ipp(), pc.name.up())).encode())], after_app0=False)
        els = sop(SOP['CT'], uid(5), 'ISO_IR 100') + patient(pc) + study.elems() + series('CT', 1)
        els += equipment('Tomodyne', 'TD-16') + [
            E('ImageType', ['ORIGINAL', 'PRIMARY', 'AXIAL']), E('InstanceNumber', '1'), E('RescaleIntercept', -1024),
            E('RescaleSlope', 1), E('LossyImageCompression', '00')]
        els += image_pixel(a, bits=16, pixel=E('PixelData', Encap([cs]), 'OB'))
        self.emit(rel, els, TS_JPEGLS, 'CT, JPEG-LS lossless: COM and APP11 segments in the frame')

    def f46_jpeg_lossless(self):
        c = self.c
        inst = c.inst(5)
        pc = c.patient('M')
        st = c.staff()
        exam = c.date('exam', 2020, 2023)
        study = Study(c, pc, exam, st)
        rel = self.begin('xa/XA_0001.dcm')
        a = gradient(48, 48, 130)
        cs = dcmtk_compress(a, 8, 'jpeg', self.tmp)
        cs = jpeg_insert(jpeg_strip_app0(cs), [seg(0xE1, b'Exif\0\0' + Tiff().build([(0x010E, Tiff.ASCII,
                                                                                       'XA %s %s' % (fold(pc.name.txt(0)), exam.f('iso')))])),
                                              seg(0xFE, ('Salle %s' % fold(inst())).encode())], after_app0=False)
        cs = cs + ('\0TRAILER nir=%s' % pc.nir()).encode()
        k1, k2 = len(cs) // 3, 2 * len(cs) // 3
        frags = [cs[:k1] + (b'\0' if k1 % 2 else b''), cs[k1:k2], cs[k2:]]
        # odd-length fragment padding would corrupt the split; keep exact split of even-sized pieces
        if k1 % 2:
            frags = [cs[:k1 + 1], cs[k1 + 1:k2 + (k2 - k1 - 1) % 2], cs[k2 + (k2 - k1 - 1) % 2:]]
        els = sop(SOP['XA'], uid(5), 'ISO_IR 100') + patient(pc) + study.elems() + series('XA', 1)
        els += equipment('Angiotek', 'AX-1') + [
            E('ImageType', ['ORIGINAL', 'PRIMARY', 'SINGLE PLANE']), E('InstanceNumber', '1'),
            E('PositionerMotion', 'STATIC'), E('LossyImageCompression', '00'), E('RescaleIntercept', 0),
            E('RescaleSlope', 1)]
        els += image_pixel(a, pixel=E('PixelData', Encap(frags, bot=[0]), 'OB'))
        self.emit(rel, els, TS_JPEG_LL, 'XA, JPEG lossless (process 14 SV1): one frame split over three '
                  'fragments, Exif APP1 and COM inserted, bytes after EOI')

    def f47_acrnema(self):
        c = self.c
        pc = c.patient('M')
        st = c.staff()
        exam = c.date('exam', 2018, 2020)
        study = Study(c, pc, exam, st)
        folder = pc.name.up_raw()
        rel = self.begin('acrnema/%s/IM000042' % folder, [(pc.name, folder)])
        a = gradient(32, 32, 140).astype(np.uint16) * 4
        els = sop(SOP['CT'], uid(5)) + patient(pc) + study.elems() + series('CT', 1) + [
            E((0x0008, 0x0010), 'ACR-NEMA 2.0', 'SH'), E('StationName', 'CT-%s' % folder[:10]),
            E('InstanceNumber', '42'), E((0x0020, 0x5002), 'Ref. %s' % st.txt(2), 'LO'),
            E((0x0028, 0x4000), 'Dossier %s' % pc.name.txt(0), 'LT'),
            E((0x4000, 0x4000), 'Examen de %s du %s' % (pc.name.txt(3), exam.f('slash')), 'LT'),
            E('OtherPatientIDs', pc.nir()), E('ImageType', ['ORIGINAL', 'PRIMARY', 'AXIAL']),
            E('RescaleIntercept', -1024), E('RescaleSlope', 1)]
        els += image_pixel(a, bits=16)
        self.emit(rel, els, TS_IMPLICIT, 'ACR-NEMA style: no preamble, no file meta, implicit VR, no file '
                  'extension, patient surname as folder name; retired Recognition Code, Original Image '
                  'Identification Nomenclature, Image Presentation Comments, Text Comments', no_meta=True)

    def f48_veterinary(self):
        c = self.c
        inst = c.inst(8)
        owner = c.relative('F')
        owner_addr = c.address(owner.id.split('.')[0])
        owner_ph = c.phone(owner.id.split('.')[0], mobile=True)
        k = c.count('patient')
        animal = type('PC', (), {})()
        animal.k, animal.sex = k, 'M'
        animal.name = owner
        animal.dob = c.date('birth', 2012, 2020)
        animal.ipp = c.other_id('patient-id-ipp', 8)
        animal.ipp.category = 'patient-id-ipp'
        chip = c.other_id('animal-microchip', 15, '250')
        breed = c.other_id('breed-registration', 10)
        st = c.staff()
        asst = c.staff()
        exam = c.date('exam', 2020, 2023)
        study = Study(c, animal, exam, st)
        rel = self.begin('veto/DX_chien.dcm')
        bv = breed.value
        breed.use('LOF 2 EPB %s/%s' % (bv[:6], bv[6:]))
        extra = [E('PatientSpeciesDescription', 'Canis lupus familiaris'),
                 E('PatientBreedDescription', 'Épagneul breton'),
                 SQ('BreedRegistrationSequence', [[E('BreedRegistrationNumber', 'LOF 2 EPB %s/%s' % (bv[:6], bv[6:])),
                                                   SQ('BreedRegistryCodeSequence', [code('LOF', '99VET', 'Livre des Origines Français')])]]),
                 SQ('OtherPatientIDsSequence', [[E('PatientID', chip()), E('TypeOfPatientID', 'RFID')]]),
                 E('ResponsiblePerson', owner.pn(0)), E('ResponsiblePersonRole', 'OWNER'),
                 E('ResponsibleOrganization', inst()), E('PatientAddress', owner_addr()),
                 E('PatientTelephoneNumbers', owner_ph.f(4)), E('PatientSexNeutered', 'ALTERED'),
                 E('ImageType', ['ORIGINAL', 'PRIMARY']), E('PresentationIntentType', 'FOR PRESENTATION'),
                 E('ImageLaterality', 'U'), E('PatientOrientation', ['A', 'F']), E('PresentationLUTShape', 'IDENTITY'),
                 E('BurnedInAnnotation', 'NO'), E('DetectorType', 'SCINTILLATOR'),
                 SQ('ViewCodeSequence', [code('R-10206', 'SRT', 'lateral') + [
                     SQ('ViewModifierCodeSequence', [code('CONT', 'LOCAL', 'contention %s' % asst.up())])]])]
        self._simple_image(animal, study, 'DX', 'DX', 'ISO_IR 100', extra, rel=rel,
                           pn_override='%s^Moustik' % owner.use(owner.surname.upper()),
                           note='DX of a dog: owner surname in Patient Name, Responsible Person, breed registration '
                                'number, microchip number in Other Patient IDs, owner address and phone')

    def f49_gsps(self):
        c = self.c
        pc, study = self.P['ls'], self.S['ls']
        st = [c.staff() for _ in range(3)]
        d = c.date('event', 2020, 2023)
        rel = self.begin('ct/GSPS_0001.dcm')
        lay_author = c.staff()
        layer = ('DR_%s' % lay_author.up())[:16]
        lay_author.add_needle('joined', norm(layer[3:]))
        els = sop(SOP['GSPS'], uid(5), 'ISO_IR 100') + patient(pc, 1) + study.elems() + series('PR', 90)
        els += equipment('Viewix', 'VX-5') + [
            E('InstanceNumber', '1'), E('ContentLabel', 'PS_%s' % st[0].up()[:12]),
            E('ContentDescription', 'Annotations de %s' % st[0].txt(1)), E('ContentCreatorName', st[0].pn(0)),
            E('PresentationCreationDate', d.da()), E('PresentationCreationTime', '101000'),
            SQ('ReferencedSeriesSequence', [[E('SeriesInstanceUID', uid(4)), SQ('ReferencedImageSequence', [[
                E('ReferencedSOPClassUID', SOP['CT']), E('ReferencedSOPInstanceUID', uid(5))]])]]),
            SQ('DisplayedAreaSelectionSequence', [[E('DisplayedAreaTopLeftHandCorner', [1, 1], 'SL'),
                                                   E('DisplayedAreaBottomRightHandCorner', [32, 32], 'SL'),
                                                   E('PresentationSizeMode', 'SCALE TO FIT'),
                                                   E('PresentationPixelSpacing', [1, 1])]]),
            SQ('GraphicLayerSequence', [[E('GraphicLayer', layer), E('GraphicLayerOrder', 1),
                                         E('GraphicLayerDescription', 'Calque %s' % st[1].txt(2))]]),
            SQ('GraphicAnnotationSequence', [[E('GraphicLayer', layer), SQ('TextObjectSequence', [[
                E('UnformattedTextValue', 'Nodule signalé au %s - %s' % (st[2].txt(1), pc.name.txt(3))),
                E('AnchorPointAnnotationUnits', 'PIXEL'), E('AnchorPoint', [10.0, 10.0], 'FL'),
                E('AnchorPointVisibility', 'Y')]])]]),
            E('PresentationLUTShape', 'IDENTITY')]
        self.emit(rel, els, TS_EXPLICIT, 'Grayscale Softcopy Presentation State: Content Label/Description, '
                  'Graphic Layer Description, text object')

    # ------------------------------------------------------------------
    # Files 50+: identifiers in attributes a de-identifier tends to keep
    # (code sequences, equipment / coil / sequence names, ICC profiles),
    # written as real sites write them.

    def _site(self):
        c = self.c
        tw = c.towns.pop()
        k = c.count('site')
        return gen_ident('I%02d.site' % (40 + k), 'institution-site', 'site de %s' % tw, word=[norm(tw)],
                         joined=[norm(tw).replace(' ', '')])

    def _designator(self, inst, n=14):
        """Local coding scheme designator naming the institution (99KERLANN)."""
        d = '99' + fold(inst.core).upper().replace(' ', '')[:n]
        inst.add_needle('word', norm(d))
        return inst.use(d)

    def f50_ct_codes(self):
        c = self.c
        inst = c.inst(0)
        pc = c.patient('M')
        st = [c.staff() for _ in range(5)]
        exam = c.date('exam', 2021, 2023)
        nod = c.date('event', 2020, 2022)
        lot = c.serial('LOT')
        site = self._site()
        study = Study(c, pc, exam, st[0])
        rel = self.begin('ct/CT_protocoles.dcm')
        des = self._designator(inst)
        a = (gradient(32, 32, 150).astype(np.int16) * 6 - 1000)
        els = sop(SOP['CT'], uid(5), 'ISO_IR 100') + patient(pc) + study.elems() + series('CT', 4)
        els += equipment('Tomodyne', 'TD-64') + [
            E('ImageType', ['ORIGINAL', 'PRIMARY', 'AXIAL']), E('InstanceNumber', '1'), E('KVP', '100'),
            E('ConvolutionKernel', 'B30f'), E('FilterType', 'BODY'), E('RescaleIntercept', 0), E('RescaleSlope', 1),
            E('RescaleType', 'HU'), E('OperatorsName', st[1].pn(0)),
            SQ('PerformedProtocolCodeSequence', [code('PT-THX', des, 'Thorax injecte protocole %s' % st[2].up(),
                                                      extra=[E('CodingSchemeVersion', '%s 2021' % inst.ae(10)),
                                                             SQ('EquivalentCodeSequence', [code('THX01', 'LOCAL', 'Protocole %s %s' % (
                                                                 st[3].given, st[3].use(st[3].surname.upper())))])])]),
            SQ('ProcedureCodeSequence', [code('ZBQK002', 'CCAM', 'Scanner thorax - %s' % site())]),
            SQ('RequestedProcedureCodeSequence', [code('SCTX', des, 'TDM TAP demande pr. %s' % st[4].use(fold(st[4].surname).lower()))]),
            SQ('ContrastBolusAgentSequence', [code('C-B0318', 'SRT', 'Iomeron 350 lot %s' % lot())]),
            SQ('AnatomicRegionSequence', [code('39607008', 'SCT', 'Lung') + [
                SQ('AnatomicRegionModifierSequence', [code('NOD1', des, 'Nodule vu le %s' % nod.f('iso'))])]]),
            SQ('DerivationCodeSequence', [code('113072', 'DCM', 'Multiplanar reformatting'),
                                          code('RF1', des, 'Reformat %s' % st[1].up())])]
        els += image_pixel(a, bits=16, signed=True)
        self.emit(rel, els, TS_EXPLICIT, 'CT with identifiers in code sequences: Performed Protocol (staff surname '
                  'without title, local designator 99<institution>, Coding Scheme Version, Equivalent Code), '
                  'Procedure Code (site town), Requested Procedure (lower-case "pr." title), contrast lot, '
                  'Anatomic Region Modifier (ISO date), Derivation Code (the operator, also in Operators Name)')

    def f51_mr_site(self):
        c = self.c
        inst = c.inst(3)
        pc = c.patient('F')
        st = [c.staff() for _ in range(3)]
        dept = c.dept()
        exam = c.date('exam', 2021, 2023)
        study = Study(c, pc, exam, None)
        rel = self.begin('mr/MR_genou.dcm')
        a = gradient(32, 32, 160).astype(np.uint16) * 11
        seqname = ('*ep2d_%s' % st[0].up_raw())[:16]
        st[0].add_needle('joined', norm(seqname.replace('*ep2d_', '')))
        st[0].use(seqname)
        els = sop(SOP['MR'], uid(5), 'ISO_IR 192') + patient(pc) + study.elems() + series('MR', 5)
        els += equipment('Magnetix', 'Prototype %s' % inst()) + [
            E('ImageType', ['ORIGINAL', 'PRIMARY', 'M', 'ND']), E('InstanceNumber', '1'),
            E('ScanningSequence', 'EP'), E('SequenceVariant', 'SK'), E('MRAcquisitionType', '2D'),
            E('SequenceName', seqname), E('ReceiveCoilName', ('GENOU_%s' % inst.ae(10))[:16]),
            E('TransmitCoilName', 'BODY'), E('ImagedNucleus', '1H'), E('MagneticFieldStrength', '3'),
            SQ('PerformedProtocolCodeSequence', [code('GEN-3T', 'LOCAL', 'Genou 3T - Dʳ %s' % st[1].use(st[1].surname))]),
            SQ('ProcedureCodeSequence', [code('NZQN001', 'CCAM', 'IRM genou (%s)' % dept())]),
            SQ('RequestedProcedureCodeSequence', [code('IRMG', 'LOCAL', 'IRM genou, Prof. %s' % st[2].use(st[2].surname))])]
        els += image_pixel(a, bits=16)
        self.emit(rel, els, TS_EXPLICIT, 'MR: Sequence Name carrying a physicist surname, Receive Coil Name naming the '
                  'site, Manufacturer Model Name naming the institution, code meanings with "Dʳ" and "Prof." '
                  'titles and a department')

    def f52_sr_coded(self):
        c = self.c
        inst, inst2 = c.inst(11), c.inst(2)
        pc = c.patient('F')
        st = [c.staff() for _ in range(5)]
        rpps0, rpps3 = c.rpps(st[0]), c.rpps(st[3])
        adeli = c.other_id('staff-id-adeli', 9)
        fin = c.finess(inst2)
        site = self._site()
        exam = c.date('exam', 2021, 2023)
        rcp = c.date('event', 2021, 2023)
        prior = c.date('exam-prior', 2018, 2020)
        study = Study(c, pc, exam, None)
        rel = self.begin('sr/SR_code.dcm')
        des = self._designator(inst, 12)
        img = uid(5)
        content = [
            ci_code('HAS CONCEPT MOD', C('121049', 'DCM', 'Language of Content Item and Descendants'), C('fr', 'RFC5646', 'French')),
            ci_code('HAS OBS CONTEXT', C('PRESC', des, 'Médecin prescripteur'), code(rpps0(), 'RPPS', '%s %s' % (st[0].use(st[0].surname.upper()), st[0].given))),
            ci_code('HAS OBS CONTEXT', C('ETAB', des, 'Etablissement'), code(fin(), 'FINESS', inst2())),
            ci_code('HAS OBS CONTEXT', C('LIEU', des, 'Lieu de l\'examen'), code('S1', des, site())),
            ci_code('HAS OBS CONTEXT', C('MANIP', des, 'Manipulateur'), code(adeli(), 'ADELI', st[1].up())),
            ci_container('CONTAINS', C('CONCL', des, 'Conclusion de %s' % st[2].up()), [
                ci_text('CONTAINS', CN_COMMENT, 'RAS'),
                ci_image('CONTAINS', C('PRIOR', des, 'Examen antérieur %s (%s)' % (prior.f('mon'), inst.core)), SOP['CT'], img)]),
            ci_code('CONTAINS', C('RCP', des, 'Avis RCP %s' % rcp.f('en')), C('373066001', 'SCT', 'Yes'))]
        inst.use(inst.core)
        els = sop(SOP['CSR'], uid(5), 'ISO_IR 192') + patient(pc) + study.elems() + series('SR', 70)
        els += equipment('Textmed', 'TM-2') + [
            E('ContentDate', exam.da()), E('ContentTime', '120000'), E('InstanceNumber', '1'),
            E('CompletionFlag', 'COMPLETE'), E('VerificationFlag', 'VERIFIED'), SQ('PerformedProcedureCodeSequence', []),
            SQ('VerifyingObserverSequence', [[E('VerifyingObserverName', st[4].pn(0)),
                                              SQ('VerifyingObserverIdentificationCodeSequence', [code(rpps3(), 'RPPS', '%s %s' % (st[3].up(), st[3].given))]),
                                              E('VerifyingOrganization', inst2()), E('VerificationDateTime', exam.dt(13, 0))]]),
            E('ValueType', 'CONTAINER'), SQ('ConceptNameCodeSequence', [code('CR-RX', des, 'Compte rendu %s' % inst())]),
            E('ContinuityOfContent', 'SEPARATE'),
            SQ('ContentTemplateSequence', [[E('MappingResource', des[:16]), E('TemplateIdentifier', ('%s_CR1' % inst.ae(10))[:16])]]),
            SQ('ContentSequence', content)]
        self.emit(rel, els, TS_EXPLICIT, 'Comprehensive SR with coded persons and places: prescriber / verifier coded '
                  'by RPPS (code value + meaning), institution coded by FINESS, a site, a technician by ADELI, a '
                  'private concept name with a surname, a document title naming the institution, local mapping '
                  'resource and template identifier, dates in DD-MON-YYYY and English forms')

    def f53_pet(self):
        c = self.c
        supplier = c.inst(6)
        pc = c.patient('M')
        lot = c.serial('FDG')
        exam = c.date('exam', 2021, 2023)
        st = c.staff()
        study = Study(c, pc, exam, st)
        rel = self.begin('tep/PT_0001.dcm')
        a = gradient(32, 32, 170).astype(np.uint16) * 20
        els = sop('1.2.840.10008.5.1.4.1.1.128', uid(5), 'ISO_IR 100') + patient(pc) + study.elems() + series('PT', 1)
        els += equipment('Positrex', 'PX-Vision') + [
            E('ImageType', ['ORIGINAL', 'PRIMARY']), E('InstanceNumber', '1'), E('SeriesType', ['STATIC', 'IMAGE']),
            E('Units', 'BQML'), E('CountsSource', 'EMISSION'), E('CorrectedImage', ['ATTN', 'DECY']),
            E('DecayCorrection', 'START'), E('RescaleIntercept', 0), E('RescaleSlope', 1),
            SQ('RadiopharmaceuticalInformationSequence', [[
                SQ('RadionuclideCodeSequence', [code('C-111A1', 'SRT', '^18^Fluorine')]),
                SQ('RadiopharmaceuticalCodeSequence', [code('C-B1031', 'SRT', 'FDG lot %s - %s' % (lot(), supplier()))]),
                E('RadionuclideTotalDose', '250000000'), E('RadionuclideHalfLife', '6586.2')]]),
            E('ImagePositionPatient', [0, 0, 0]), E('ImageOrientationPatient', [1, 0, 0, 0, 1, 0]),
            E('PixelSpacing', [4, 4]), E('SliceThickness', 4), E('FrameOfReferenceUID', uid(9))]
        els += image_pixel(a, bits=16)
        self.emit(rel, els, TS_EXPLICIT, 'PET: Radiopharmaceutical Code Sequence meaning with batch number and the '
                  'supplying cyclotron centre')

    def f54_xa_lot(self):
        c = self.c
        pc = c.patient('F')
        dept = c.dept()
        lot = c.serial('VIS')
        exam = c.date('exam', 2021, 2023)
        st = c.staff()
        study = Study(c, pc, exam, None)
        rel = self.begin('xa/XA_coro.dcm')
        a = gradient(32, 32, 180)
        els = sop(SOP['XA'], uid(5), 'ISO_IR 100') + patient(pc) + study.elems() + series('XA', 2)
        els += equipment('Angiotek', ('AX-1 %s' % dept())[:64]) + [
            E('ImageType', ['ORIGINAL', 'PRIMARY', 'SINGLE PLANE']), E('InstanceNumber', '1'),
            E('PositionerMotion', 'STATIC'), E('RescaleIntercept', 0), E('RescaleSlope', 1),
            SQ('ContrastBolusAgentSequence', [code('C-B0317', 'SRT', 'Visipaque 320 lot %s' % lot())]),
            SQ('PerformedProtocolCodeSequence', [code('CORO', 'LOCAL', 'Coronarographie - %s %s' % (st.given, st.use(st.surname.upper())))])]
        els += image_pixel(a)
        self.emit(rel, els, TS_EXPLICIT, 'XA: contrast lot in the agent code meaning, room/department in the model '
                  'name, operator given name + surname in a protocol code meaning')

    def f55_seg_algo(self):
        c = self.c
        inst = c.inst(4)
        pc = c.patient('M')
        st = [c.staff() for _ in range(2)]
        exam = c.date('exam', 2021, 2023)
        study = Study(c, pc, exam, None)
        rel = self.begin('oncologie/SEG_ia.dcm')
        fr = np.zeros((1, 16, 16), np.uint8)
        fr[0, 3:9, 3:9] = 1
        bits = np.packbits(fr.reshape(-1), bitorder='little').tobytes()
        els = sop(SOP['SEG'], uid(5), 'ISO_IR 100') + patient(pc) + study.elems() + series('SEG', 3)
        els += equipment('%s - laboratoire IA' % inst(), 'AutoSeg 2') + [
            E('InstanceNumber', '1'), E('ImageType', ['DERIVED', 'PRIMARY']), E('ContentLabel', 'IA'),
            E('ContentDescription', ''), E('ContentCreatorName', ''), E('ContentDate', exam.da()), E('ContentTime', '090000'),
            E('SegmentationType', 'BINARY'), E('FrameOfReferenceUID', uid(9)), E('LossyImageCompression', '00'),
            SQ('SegmentSequence', [[E('SegmentNumber', 1), E('SegmentLabel', 'tumeur'), E('SegmentAlgorithmType', 'AUTOMATIC'),
                                    E('SegmentAlgorithmName', 'AutoSeg'),
                                    SQ('SegmentedPropertyCategoryCodeSequence', [code('49755003', 'SCT', 'Morphologically Altered Structure')]),
                                    SQ('SegmentedPropertyTypeCodeSequence', [code('108369006', 'SCT', 'Neoplasm') + [
                                        SQ('SegmentedPropertyTypeModifierCodeSequence', [code('REV', 'LOCAL', 'contour revu par %s' % st[0].up())])]]),
                                    SQ('SegmentationAlgorithmIdentificationSequence', [[
                                        SQ('AlgorithmFamilyCodeSequence', [code('123110', 'DCM', 'Artificial Intelligence')]),
                                        SQ('AlgorithmNameCodeSequence', [code('AUTOSEG', 'LOCAL', 'AutoSeg %s (%s)' % (inst.core, st[1].up()))]),
                                        E('AlgorithmName', 'AutoSeg'), E('AlgorithmVersion', '2')]])]]),
            SQ('DimensionOrganizationSequence', [[E('DimensionOrganizationUID', uid(6))]]),
            SQ('SharedFunctionalGroupsSequence', [[SQ('PixelMeasuresSequence', [[E('PixelSpacing', [1, 1]), E('SliceThickness', 1)]])]]),
            SQ('PerFrameFunctionalGroupsSequence', [[SQ('FrameContentSequence', [[E('DimensionIndexValues', [1, 1], 'UL')]]),
                                                     SQ('SegmentIdentificationSequence', [[E('ReferencedSegmentNumber', 1)]])]])]
        inst.use(inst.core)
        els += image_pixel(fr, frames=1, bits=1, pixel=E('PixelData', bits, 'OB'))
        self.emit(rel, els, TS_EXPLICIT, 'Segmentation from an in-house AI: Manufacturer naming the institution, '
                  'Algorithm Name Code Sequence meaning, Segmented Property Type Modifier meaning naming a reviewer')

    def f56_code_variants(self):
        c = self.c
        inst = c.inst(7)
        pc = c.patient('F')
        pc.phone = c.phone('P%02d' % pc.k, mobile=True)
        st = c.staff()
        exam = c.date('exam', 2021, 2023)
        study = Study(c, pc, exam, st)
        rel = self.begin('divers/CT_variantes.dcm')
        sur = pc.name.surname
        plain = fold(sur).upper()
        homo = plain.translate(str.maketrans({'A': 'А', 'E': 'Е', 'O': 'О', 'C': 'С', 'P': 'Р', 'K': 'К', 'M': 'М', 'H': 'Н', 'T': 'Т', 'X': 'Х'}))
        full = ''.join(chr(ord(ch) - 0x21 + 0xFF01) if 'A' <= ch <= 'Z' else ch for ch in plain)
        zwj = ZWJ.join([plain[:3], plain[3:]])
        nfd = unicodedata.normalize('NFD', sur)
        for f in (plain, homo, full, zwj, nfd):
            pc.name.use(f)
        ipp = pc.ipp.value
        ipp_sp = '%s %s %s' % (ipp[:2], ipp[2:6], ipp[6:])
        pc.ipp.use(ipp_sp)
        items = [code('V1', 'LOCAL', 'EXAMEN NON PROGRAMME %s' % plain),
                 code('V2', 'LOCAL', 'Suivi %s' % homo),
                 code('V3', 'LOCAL', 'Suivi %s' % full),
                 code('V4', 'LOCAL', 'Suivi %s' % zwj),
                 code('V5', 'LOCAL', 'Suivi %s' % nfd),
                 code('V6', 'LOCAL', 'Dossier %s' % ipp_sp),
                 code('V7', 'LOCAL', 'ne(e) %s' % pc.dob.f('en')),
                 code('V8', 'LOCAL', 'Joindre %s' % pc.phone.f(6)),
                 code('V9', 'LOCAL', 'Adresse par %s' % st.use(fold(st.surname).lower()))]
        els = sop(SOP['CT'], uid(5), 'ISO_IR 192') + patient(pc) + study.elems() + series('CT', 6)
        els += equipment('Tomodyne', 'TD-16') + [
            E('ImageType', ['ORIGINAL', 'PRIMARY', 'AXIAL']), E('InstanceNumber', '1'), E('RescaleIntercept', -1024),
            E('RescaleSlope', 1), E('PatientTelephoneNumbers', pc.phone.f(0)),
            SQ('ProcedureCodeSequence', items)]
        els += image_pixel(gradient(32, 32, 190).astype(np.uint16) * 7, bits=16)
        self.emit(rel, els, TS_EXPLICIT, 'CT whose Procedure Code Sequence repeats header identifiers in other '
                  'writings (upper case without accents, Cyrillic homoglyphs, full-width, zero-width joiner, NFD, '
                  'IPP with spaces, birth date in English, phone as 0033..., referring physician in lower case)')

    def f57_color_ps_icc(self):
        c = self.c
        inst = c.inst(1)
        pc = c.patient('M')
        st = [c.staff() for _ in range(2)]
        dept = c.dept()
        cal = c.date('calibration', 2020, 2023)
        s_mon = c.serial('MON')
        exam = c.date('exam', 2021, 2023)
        study = Study(c, pc, exam, None)
        rel = self.begin('presentation/COLOR_PS.dcm')
        icc = icc_profile('Ecran %s calibre par %s le %s' % (fold(dept()), fold(st[0].txt(0)), cal.f('slash')),
                          'Copyright %s' % fold(inst()), dmnd='Biomedical - %s' % fold(st[1].txt(2)),
                          dmdd='Moniteur SN %s' % s_mon())
        els = sop('1.2.840.10008.5.1.4.1.1.11.2', uid(5), 'ISO_IR 100') + patient(pc) + study.elems() + series('PR', 80)
        els += equipment('Viewix', 'VX-5') + [
            E('InstanceNumber', '1'), E('ContentLabel', 'COULEUR'), E('ContentDescription', ''),
            E('ContentCreatorName', ''), E('PresentationCreationDate', exam.da()), E('PresentationCreationTime', '100000'),
            SQ('ReferencedSeriesSequence', [[E('SeriesInstanceUID', uid(4)), SQ('ReferencedImageSequence', [[
                E('ReferencedSOPClassUID', SOP['SC']), E('ReferencedSOPInstanceUID', uid(5))]])]]),
            SQ('DisplayedAreaSelectionSequence', [[E('DisplayedAreaTopLeftHandCorner', [1, 1], 'SL'),
                                                   E('DisplayedAreaBottomRightHandCorner', [64, 64], 'SL'),
                                                   E('PresentationSizeMode', 'SCALE TO FIT'),
                                                   E('PresentationPixelSpacing', [1, 1])]]),
            E('ICCProfile', icc, 'OB')]
        self.emit(rel, els, TS_EXPLICIT, 'Color Softcopy Presentation State: the ICC profile (desc, cprt, dmnd, dmdd '
                  'tags) names the display room, the person who calibrated it, the date, the institution and the '
                  'monitor serial number')

    def f58_rtstruct(self):
        c = self.c
        inst = c.inst(6)
        pc = c.patient('M')
        st = [c.staff() for _ in range(2)]
        exam = c.date('exam', 2021, 2023)
        study = Study(c, pc, exam, None)
        rel = self.begin('radiotherapie/RTSTRUCT.dcm')
        for_uid = uid(9)
        els = sop('1.2.840.10008.5.1.4.1.1.481.3', uid(5), 'ISO_IR 100') + patient(pc) + study.elems() + series('RTSTRUCT', 4)
        els += equipment('Contourage %s' % inst(), 'Delineo 3') + [
            E('InstanceNumber', '1'), E('StructureSetLabel', 'RS1'), E('StructureSetDate', exam.da()),
            E('StructureSetTime', '100000'),
            SQ('ReferencedFrameOfReferenceSequence', [[E('FrameOfReferenceUID', for_uid)]]),
            SQ('StructureSetROISequence', [[E('ROINumber', '1'), E('ReferencedFrameOfReferenceUID', for_uid),
                                            E('ROIName', 'PTV'), E('ROIGenerationAlgorithm', 'MANUAL')]]),
            SQ('ROIContourSequence', [[E('ReferencedROINumber', '1'), SQ('ContourSequence', [[
                E('ContourGeometricType', 'CLOSED_PLANAR'), E('NumberOfContourPoints', '3'),
                E('ContourData', [0, 0, 0, 10, 0, 0, 0, 10, 0])]])]]),
            SQ('RTROIObservationsSequence', [[E('ObservationNumber', '1'), E('ReferencedROINumber', '1'),
                                              E('RTROIInterpretedType', 'PTV'), E('ROIInterpreter', ''),
                                              SQ('RTROIIdentificationCodeSequence', [code('PTV1', 'LOCAL', 'PTV prostate (%s / %s)' % (
                                                  st[0].up(), st[1].up()))])]])]
        self.emit(rel, els, TS_EXPLICIT, 'RT Structure Set: Manufacturer naming the institution (in-house '
                  'contouring), RT ROI Identification Code meaning naming two physicists')

    def f59_ct_j2k(self):
        c = self.c
        inst = c.inst(10)
        pc = c.patient('F')
        st = c.staff()
        exam = c.date('exam', 2021, 2023)
        study = Study(c, pc, exam, None)
        rel = self.begin('ct/CT_j2k.dcm')
        a = gradient(32, 32, 200).astype(np.uint16) * 13
        cs = j2k_codestream(a)
        cs = j2k_insert_com(cs, main_com=('Recon %s, %s' % (fold(st.txt(0)), fold(inst()))).encode(),
                            tile_com=('pid=%s' % pc.ipp()).encode())
        els = sop(SOP['CT'], uid(5), 'ISO_IR 100') + patient(pc) + study.elems() + series('CT', 7)
        els += equipment('Tomodyne', 'TD-64') + [
            E('ImageType', ['ORIGINAL', 'PRIMARY', 'AXIAL']), E('InstanceNumber', '1'), E('RescaleIntercept', -1024),
            E('RescaleSlope', 1), E('LossyImageCompression', '00')]
        els += image_pixel(a, bits=16, pixel=E('PixelData', Encap([cs]), 'OB'))
        self.emit(rel, els, TS_J2K_LL, 'CT, JPEG 2000 lossless codestream (no JP2 wrapper): COM marker in the main '
                  'header (reconstruction operator, institution) and in the tile-part header (IPP)')

    def f60_ct_rle(self):
        c = self.c
        pc = c.patient('M')
        exam = c.date('exam', 2021, 2023)
        st = c.staff()
        study = Study(c, pc, exam, st)
        rel = self.begin('ct/CT_rle.dcm')
        a = gradient(32, 32, 210)
        frame = rle_frame(a, trailer=('\0%s %s\0' % (pc.name.up(), pc.dob.f('iso'))).encode())
        els = sop(SOP['CT'], uid(5), 'ISO_IR 100') + patient(pc) + study.elems() + series('CT', 8)
        els += equipment('Tomodyne', 'TD-16') + [
            E('ImageType', ['DERIVED', 'SECONDARY', 'AXIAL']), E('InstanceNumber', '1'), E('RescaleIntercept', -1024),
            E('RescaleSlope', 1)]
        els += image_pixel(a, pixel=E('PixelData', Encap([frame]), 'OB'))
        self.emit(rel, els, TS_RLE, 'CT (8-bit), RLE lossless with bytes after the RLE segment inside the fragment')


# ==========================================================================
# 10. main

def validate(outdir, files):
    problems = []
    for f in files:
        p = os.path.join(outdir, 'corpus', f['path'])
        r = subprocess.run(['dcmdump', '-M', '+uc', p], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        txt = r.stdout.decode('latin-1')
        errs = [l for l in txt.splitlines() if l.startswith('E:')]
        if r.returncode != 0 or errs:
            problems.append('%s: dcmdump rc=%d %s' % (f['path'], r.returncode, errs[:3]))
        try:
            ds = pydicom.dcmread(p, force=True)
            for el in ds.iterall():
                _ = el.value
            if not ds.file_meta.get('TransferSyntaxUID'):
                ds.file_meta.TransferSyntaxUID = TS_IMPLICIT
            if 'PixelData' in ds and ds.file_meta.TransferSyntaxUID in (TS_EXPLICIT, TS_IMPLICIT, TS_BIG, TS_DEFLATE):
                _ = ds.pixel_array
        except Exception as ex:
            problems.append('%s: pydicom %s: %s' % (f['path'], ex.__class__.__name__, ex))
    return problems


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('outdir')
    ap.add_argument('--seed', type=int, default=20241205)
    ap.add_argument('--no-validate', action='store_true')
    a = ap.parse_args(argv)
    out = os.path.abspath(a.outdir)
    if os.path.exists(os.path.join(out, 'corpus')):
        shutil.rmtree(os.path.join(out, 'corpus'))
    os.makedirs(out, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix='dicom-r2-gen.')
    try:
        cast = Cast(a.seed)
        b = Builder(cast, out, tmp)
        for name in sorted(n for n in dir(Builder) if re.match(r'f\d\d[a-z]?_', n)):
            getattr(b, name)()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    unused = [i for i in REG.order if not REG.idents[i].files]
    if unused:
        print('gen.py: note: %d identifiers created but never planted (left out of planted.json): %s'
              % (len(unused), ', '.join(unused[:20])), file=sys.stderr)
    idents = REG.to_json()
    planted = {'corpus': 'dicom-r2', 'seed': a.seed, 'files': FILES, 'identifiers': idents,
               'categories': sorted(set(i['category'] for i in idents))}
    with open(os.path.join(out, 'planted.json'), 'w', encoding='utf-8') as f:
        json.dump(planted, f, indent=1, ensure_ascii=False)
    print('gen.py: %d files, %d planted identifiers -> %s' % (len(FILES), len(idents), out))
    if not a.no_validate:
        probs = validate(out, FILES)
        for p in probs:
            print('VALIDATION:', p, file=sys.stderr)
        if probs:
            return 1
        print('gen.py: every file passes dcmdump (no E: lines) and pydicom')
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
