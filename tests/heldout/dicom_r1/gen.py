#!/usr/bin/python3
"""Held-out DICOM de-identification corpus (dicom-r1): generator.

    gen.py OUTDIR [--seed N]

Writes OUTDIR/corpus/... (the DICOM files to de-identify) and
OUTDIR/planted.json (every planted identifier: category, value, the files
and attribute paths it occurs in, the byte/normalised variants that
check.py searches for).

Everything here is invented: names, numbers, institutions, addresses.
Written by an outside tester from public DICOM knowledge only (PS3.3,
PS3.5, PS3.6, PS3.15 Table E.1-1), without knowledge of the tool under test.

Requirements: /usr/bin/python3 with pydicom 2.3, numpy, PIL (Debian
packages). dcmdump (DCMTK) is used by --validate (default on).
"""
import argparse
import datetime
import io
import json
import os
import random
import re
import struct
import subprocess
import sys
import unicodedata
import warnings
import zlib

import numpy as np
from PIL import Image

import pydicom
from pydicom.dataset import Dataset, FileDataset, FileMetaDataset
from pydicom.sequence import Sequence
from pydicom.encaps import encapsulate
from pydicom.uid import (ExplicitVRLittleEndian, ImplicitVRLittleEndian,
                         ExplicitVRBigEndian, DeflatedExplicitVRLittleEndian,
                         JPEGBaseline8Bit, JPEG2000Lossless)

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import check  # noqa: E402  (normalisation and scanning shared with the checker)

warnings.filterwarnings('ignore')

IMPL_UID = '1.2.826.0.1.3680043.9.7781.1'   # invented implementation class UID
IMPL_NAME = 'HELDOUT_R1'

# SOP classes
CT = '1.2.840.10008.5.1.4.1.1.2'
ENH_CT = '1.2.840.10008.5.1.4.1.1.2.1'
MR = '1.2.840.10008.5.1.4.1.1.4'
US_MF = '1.2.840.10008.5.1.4.1.1.3.1'
SC = '1.2.840.10008.5.1.4.1.1.7'
VL_PHOTO = '1.2.840.10008.5.1.4.1.1.77.1.4'
VL_ENDO = '1.2.840.10008.5.1.4.1.1.77.1.1'
XA = '1.2.840.10008.5.1.4.1.1.12.1'
DX = '1.2.840.10008.5.1.4.1.1.1.1'
BASIC_SR = '1.2.840.10008.5.1.4.1.1.88.11'
ENH_SR = '1.2.840.10008.5.1.4.1.1.88.22'
COMP_SR = '1.2.840.10008.5.1.4.1.1.88.33'
KOS = '1.2.840.10008.5.1.4.1.1.88.59'
RT_PLAN = '1.2.840.10008.5.1.4.1.1.481.5'
RT_STRUCT = '1.2.840.10008.5.1.4.1.1.481.3'
RT_DOSE = '1.2.840.10008.5.1.4.1.1.481.2'
RT_RECORD = '1.2.840.10008.5.1.4.1.1.481.4'
GSPS = '1.2.840.10008.5.1.4.1.1.11.1'
SEG = '1.2.840.10008.5.1.4.1.1.66.4'
PDF = '1.2.840.10008.5.1.4.1.1.104.1'
CDA = '1.2.840.10008.5.1.4.1.1.104.2'
ECG12 = '1.2.840.10008.5.1.4.1.1.9.1.1'
NM = '1.2.840.10008.5.1.4.1.1.20'
RAW = '1.2.840.10008.5.1.4.1.1.66'
MEDIA_DIR = '1.2.840.10008.1.3.10'

MOIS = ['janvier', 'février', 'mars', 'avril', 'mai', 'juin', 'juillet', 'août',
        'septembre', 'octobre', 'novembre', 'décembre']
MOIS_ABR = ['janv.', 'févr.', 'mars', 'avr.', 'mai', 'juin', 'juil.', 'août',
            'sept.', 'oct.', 'nov.', 'déc.']

# ---------------------------------------------------------------------------
# invented surnames (checked absent from the DICOM dictionary and common words)

SURNAMES = """Quenardel Vaubrissac Lhermitault Tessandier Gerbaudel Ardouinet Chaptelain
Brisemontier Fauvergnac Mazurieux Pellegrue Sauvagnat Escoffrey Montbazillac Peyrelongue
Castagnède Larrouturou Haudecoeur Guillemardet Bournazel Kerjeanic Lavaudrin Moucheboeuf
Rabastenc Quintardier Vernazobres Ribouleau Tourmagnac Dardennois Pouzadoux Crussolier
Malvézin Bergognon Fontarède Jouvencel Lestrapade Morvandiau Nègrevergne Oustalet
Roubichou Sarrazac Tréguidel Urvoaze Vignassou Wattebled Xhaflaire Zeddamine Abrassart
Bonnemazou Coustouzy Delbouysse Estradère Fourtanier Goudouneix Hourcastagné Izarnotte
Jacquemoud Kergoustin Lacombrade Maumejean Naudinat Orcibal Poumeyrol Rouquayrol
Soubiranne Teyssonneau Usclade Valadié Aubertinel Bazillouet Cambrezy Dourgnac Embrunais
Fréchinot Gastambide Hennequart Isambrac Jolibert-Vassal Kervadec Loustaunau Mirabelet
Nozeroy Ollivrac Plessardin Quiévrain Raffestin Sautereau Tallemagne Urtizberea Vasseroux
Wiscart Yvernault Zorbelli Amblardine Brouchoud Chastagnol Dumazeau Escourbiac Fillastre
Gourbeyre Harambillet Ichebarne Jauffrineau Kerhervé Lamouroux-Pech Méjanel Noguérou
Pradalier Rastouil Sermadiras Trouillebert Vidalenc Carbonnières Pignatel-Roux Baudiffier
Cazanave-Puy Darrigrand Esquerré-Lafon Fabrèguette
Abeillonne Bagnérac Castelvieilh
Daubrécourt Escudéry-Mons Fayolleau Gimbrède Hautpoulet Jarnouen Lafforgue-Saint Mansencal
Nivelleau Ossédat Parouty Quillardet Rivemale Saubadine Tarbouriech Uhart-Mixe Vauchelet
Arribehaute Bessonnat Coutelas-Fage Dupérou Espitalié Frayssinous Garriguenc Huillard-Péan
Issaly Jouanolou Kerleroux Lacrampette Massebeuf Noailhac Oustrières Pébayle Roucoulès
Sahuguède Tournebise Vézinhet Arnaudiès Bouscaillou Campardou Daubèze Estingoy Fourcassié
Gaubertie Hondarrague Ibarbourou Jambou-Laffite Larrouy Merlanchon Nauzeral Orgebin Picharrot
Rieutord-Baux Sorbadère Trincaud Vergnoles Auzeméry Bordenave-Pic Cassignol Dintrans Espéret
Furgerot Gardelhe Hirigoyen Iharrague Jougla-Serres Laborderie-Cam Montastruc Naudéou Ourliac
Poudenx Rouffiac-Tarn Saint-Pastou Tiffagnac Vidouze Arbouet Bernadets Couloumé""".split()


def strip_accents(s):
    s = unicodedata.normalize('NFKD', s)
    return ''.join(c for c in s if not unicodedata.combining(c))


# ---------------------------------------------------------------------------
# identifier registry

class Ident:
    def __init__(self, reg, category, value, words=(), texts=(), digits=(), raw=(),
                 forms=(), note=''):
        self.reg = reg
        self.category = category
        self.value = value
        self.words = [w for w in words if w]
        self.texts = [t for t in texts if t]
        self.digits = [d for d in digits if d]
        self.raw = list(raw)          # bytes needles (legacy encodings)
        self.forms = list(forms)      # written forms (str) for the variants list
        self.note = note
        self.intended = set()
        self.encoded = {}             # encoding -> set of hex
        reg.idents.append(self)
        self.id = '%s-%03d' % (category, sum(1 for i in reg.idents if i.category == category))

    def use(self, form=None):
        """Return the string to write, marking the current file as intended."""
        s = self.value if form is None else form
        if self.reg.current is not None:
            self.intended.add(self.reg.current)
        if s not in self.forms:
            self.forms.append(s)
        return s

    # shortcuts
    @property
    def v(self):
        return self.use()

    def __str__(self):
        return self.use()


class Person(Ident):
    """A person: family name is the needle (word, normalised)."""
    def __init__(self, reg, category, family, given, title='', extra_keys=()):
        keys = [check.norm(family).strip()] + [check.norm(k).strip() for k in extra_keys]
        super().__init__(reg, category, '%s^%s' % (family.upper(), given),
                         words=keys)
        self.family = family
        self.given = given
        self.title = title

    @property
    def pn(self):
        return self.use('%s^%s' % (self.family.upper(), self.given))

    @property
    def pn_mixed(self):
        return self.use('%s^%s' % (self.family, self.given))

    @property
    def full(self):
        return self.use('%s %s' % (self.given, self.family))

    @property
    def full_up(self):
        return self.use('%s %s' % (self.given, self.family.upper()))

    @property
    def titled(self):
        return self.use(('%s %s %s' % (self.title, self.given, self.family.upper())).strip())

    @property
    def short(self):
        return self.use(('%s %s' % (self.title, self.family)).strip())

    @property
    def ascii_up(self):
        return self.use(strip_accents(self.family).upper())

    @property
    def initials_login(self):
        return self.use('%s%s' % (self.given[0].lower(), strip_accents(self.family).lower().replace(' ', '').replace('-', '')))


class DateId(Ident):
    def __init__(self, reg, y, m, d, category='date'):
        self.dt = datetime.date(y, m, d)
        da = '%04d%02d%02d' % (y, m, d)
        super().__init__(reg, category, da,
                         digits=[da, '%02d%02d%04d' % (d, m, y)],
                         texts=[check.norm('%d %s %d' % (d, MOIS[m - 1], y)).strip(),
                                check.norm('%d %s %d' % (d, MOIS_ABR[m - 1], y)).strip(),
                                check.norm('%s %d %d' % (datetime.date(y, m, d).strftime('%B'), d, y)).strip()])
        self.y, self.m, self.d = y, m, d

    @property
    def da(self):
        return self.use()

    @property
    def fr(self):
        return self.use('%02d/%02d/%04d' % (self.d, self.m, self.y))

    @property
    def iso(self):
        return self.use('%04d-%02d-%02d' % (self.y, self.m, self.d))

    @property
    def long(self):
        return self.use('%d %s %d' % (self.d, MOIS[self.m - 1], self.y))

    @property
    def abbr(self):
        return self.use('%d %s %d' % (self.d, MOIS_ABR[self.m - 1], self.y))

    @property
    def en(self):
        return self.use(self.dt.strftime('%B %d, %Y').replace(' 0', ' '))

    def dt_(self, tm):
        return self.use(self.value + tm)


class Registry:
    def __init__(self, seed):
        self.rng = random.Random(seed)
        self.idents = []
        self.current = None
        pool = list(SURNAMES)
        self.rng.shuffle(pool)
        self._surnames = pool
        self._used_digits = set()

    # ----- factories
    def surname(self):
        return self._surnames.pop()

    def person(self, category, given, title='', family=None, extra_keys=()):
        fam = family or self.surname()
        return Person(self, category, fam, given, title, extra_keys)

    def digits(self, n, first=None):
        while True:
            s = ''.join(self.rng.choice('0123456789') for _ in range(n))
            if first:
                s = first + s[len(first):]
            if s[0] == '0' and not first:
                continue
            if len(set(s)) < 4 or s in self._used_digits:
                continue
            if re.search(r'(19|20)\d\d(0[1-9]|1[0-2])', s):   # looks like a date
                continue
            self._used_digits.add(s)
            return s

    def number(self, category, digits, value=None, extra_texts=()):
        """An identifier whose needle is its digit string (separators ignored)."""
        return Ident(self, category, value or digits, digits=[digits],
                     texts=[check.norm(t).strip() for t in extra_texts])

    def text(self, category, value, words=(), texts=()):
        """A textual identifier; needles: given words (normalised, whole words)
        and texts (normalised substrings); default: the whole value."""
        if not words and not texts:
            texts = [value]
        return Ident(self, category, value, words=[check.norm(w).strip() for w in words],
                     texts=[check.norm(t).strip() for t in texts])

    def phone(self, fmt='fr_dots', mobile=True):
        nat = self.digits(9, first=self.rng.choice('67') if mobile else self.rng.choice('1234'))
        pairs = [nat[1:3], nat[3:5], nat[5:7], nat[7:9]]
        forms = {
            'fr_dots': '0%s.%s' % (nat[0], '.'.join(pairs)),
            'fr_spaces': '0%s %s' % (nat[0], ' '.join(pairs)),
            'fr_plain': '0' + nat,
            'intl': '+33 %s %s' % (nat[0], ' '.join(pairs)),
            'intl0': '+33 (0)%s %s' % (nat[0], ' '.join(pairs)),
            'dash': '0%s-%s' % (nat[0], '-'.join(pairs)),
            '0033': '0033%s' % nat,
        }
        i = Ident(self, 'phone', forms[fmt], digits=[nat])
        i.forms_all = forms
        return i

    def date(self, y, m, d, category='date'):
        for i in self.idents:
            if isinstance(i, DateId) and (i.y, i.m, i.d) == (y, m, d):
                return i
        return DateId(self, y, m, d, category)

    def time(self, h, mi, s, frac):
        v = '%02d%02d%02d.%s' % (h, mi, s, frac)
        return Ident(self, 'time', v, digits=['%02d%02d%02d%s' % (h, mi, s, frac)])

    def cjk(self, category, text, legacy):
        """CJK identifier: text needles (with and without spaces) + legacy bytes."""
        t = text.replace('^', ' ')
        texts = [check.norm(t).strip(), check.norm(t.replace(' ', '')).strip()]
        return Ident(self, category, text, texts=texts, raw=legacy)


# ---------------------------------------------------------------------------
# DICOM helpers

_uid_counter = [0]


def uid(rng, embed=None):
    """A UID; embed: digits placed inside (UIDs that carry an identifier)."""
    _uid_counter[0] += 1
    if embed:
        return '1.2.250.1.59.3.%s.%d.%d' % (embed, _uid_counter[0], rng.randint(100000, 999999))
    return '1.2.826.0.1.3680043.9.7781.2.%d.%d' % (_uid_counter[0], rng.randint(10 ** 8, 10 ** 9 - 1))


def code(value, scheme, meaning):
    c = Dataset()
    c.CodeValue = value
    c.CodingSchemeDesignator = scheme
    c.CodeMeaning = meaning
    return c


def seq(*items):
    return Sequence(list(items))


def add_private(ds, group, slot, creator, elements):
    """slot: 0x10..0xFF; creator at (gggg,00ss), data at (gggg,ssxx)."""
    ds.add_new((group << 16) | slot, 'LO', creator)
    for eb, vr, val in elements:
        ds.add_new((group << 16) | (slot << 8) | eb, vr, val)


def native_pixels(ds, rows=32, cols=32, bits=16, frames=1, seed=0, signed=False):
    rng = np.random.RandomState(seed)
    ds.Rows = rows
    ds.Columns = cols
    ds.SamplesPerPixel = 1
    ds.PhotometricInterpretation = 'MONOCHROME2'
    ds.BitsAllocated = bits
    ds.BitsStored = 12 if bits == 16 else 8
    ds.HighBit = ds.BitsStored - 1
    ds.PixelRepresentation = 1 if signed else 0
    if frames > 1:
        ds.NumberOfFrames = frames
    n = rows * cols * frames
    if bits == 16:
        # values kept < 0x0300 so that no byte pair looks like text
        arr = (rng.randint(0, 0x2ff, size=n)).astype('<u2')
        ds.PixelData = arr.tobytes()
        ds['PixelData'].VR = 'OW'
    else:
        arr = (rng.randint(0, 40, size=n) * 6 + 1).astype('u1')   # never 0x30..0x39 runs
        ds.PixelData = arr.tobytes()
        ds['PixelData'].VR = 'OB'


def new_ds(sop_class, ts, charset=None, rng=None, sop_uid=None):
    fm = FileMetaDataset()
    fm.MediaStorageSOPClassUID = sop_class
    fm.MediaStorageSOPInstanceUID = sop_uid or uid(rng)
    fm.TransferSyntaxUID = ts
    fm.ImplementationClassUID = IMPL_UID
    fm.ImplementationVersionName = IMPL_NAME
    ds = FileDataset(None, {}, file_meta=fm, preamble=b'\x00' * 128)
    ds.is_little_endian = ts != ExplicitVRBigEndian
    ds.is_implicit_VR = ts == ImplicitVRLittleEndian
    if charset:
        ds.SpecificCharacterSet = charset
    ds.SOPClassUID = sop_class
    ds.SOPInstanceUID = fm.MediaStorageSOPInstanceUID
    return ds


# ---------------------------------------------------------------------------
# JPEG / JPEG 2000 / PDF / vendor blob builders

def jpeg_segment(marker, payload):
    return b'\xff' + bytes([marker]) + struct.pack('>H', len(payload) + 2) + payload


def jpeg_insert_before_sos(jpg, segments):
    """Insert marker segments just before the SOS marker of a baseline JPEG."""
    i = 2
    while i < len(jpg):
        assert jpg[i] == 0xff, 'bad marker walk'
        mk = jpg[i + 1]
        if mk == 0xda:
            return jpg[:i] + b''.join(segments) + jpg[i:]
        ln = struct.unpack('>H', jpg[i + 2:i + 4])[0]
        i += 2 + ln
    raise ValueError('no SOS')


def iptc_app13(byline, caption, extra=()):
    def rec(ds_, data):
        return b'\x1c\x02' + bytes([ds_]) + struct.pack('>H', len(data)) + data
    iptc = rec(0x00, b'\x00\x04') + rec(0x50, byline) + rec(0x78, caption)
    for dsn, data in extra:
        iptc += rec(dsn, data)
    if len(iptc) % 2:
        iptc += b'\x00'
    res = b'8BIM' + struct.pack('>H', 0x0404) + b'\x00\x00' + struct.pack('>I', len(iptc)) + iptc
    return b'Photoshop 3.0\x00' + res


def make_jpeg(seed, w=64, h=48, mode='RGB', exif=None, segments=(), trailer=b''):
    rng = np.random.RandomState(seed)
    base = rng.randint(0, 255, size=(h // 8, w // 8, 3 if mode == 'RGB' else 1)).astype('u1')
    arr = np.kron(base, np.ones((8, 8, 1), dtype='u1'))
    if mode == 'L':
        img = Image.fromarray(arr[:, :, 0], 'L')
    else:
        img = Image.fromarray(arr, 'RGB')
    bio = io.BytesIO()
    kw = dict(quality=90)
    if mode == 'RGB':
        kw['subsampling'] = 1        # 4:2:2 -> YBR_FULL_422
    if exif is not None:
        kw['exif'] = exif
    img.save(bio, 'JPEG', **kw)
    jpg = bio.getvalue()
    if segments:
        jpg = jpeg_insert_before_sos(jpg, list(segments))
    jpg += trailer
    # must still decode
    im2 = Image.open(io.BytesIO(jpg))
    im2.load()
    assert im2.size == (w, h)
    return jpg


def exif_bytes(artist, description, copyright_, user_comment=None, serial=None, owner=None):
    ex = Image.Exif()
    ex[0x013B] = artist          # Artist
    ex[0x010E] = description     # ImageDescription
    ex[0x8298] = copyright_      # Copyright
    ex[0x0131] = 'Atelier-Photo 2.1'
    if user_comment or serial or owner:
        ifd = {}
        if user_comment:
            ifd[0x9286] = b'ASCII\x00\x00\x00' + user_comment.encode('ascii')   # UserComment
        if serial:
            ifd[0xA431] = serial     # BodySerialNumber
        if owner:
            ifd[0xA430] = owner      # CameraOwnerName
        ex[0x8769] = ifd             # Exif sub-IFD
    return ex.tobytes()


def make_j2k(seed, comment_latin1, w=32, h=32):
    rng = np.random.RandomState(seed)
    arr = np.kron(rng.randint(0, 255, size=(h // 8, w // 8)).astype('u1'), np.ones((8, 8), dtype='u1'))
    bio = io.BytesIO()
    Image.fromarray(arr, 'L').save(bio, 'JPEG2000', no_jp2=True, irreversible=False)
    cs = bio.getvalue()
    assert cs[:4] == b'\xff\x4f\xff\x51'
    siz_len = struct.unpack('>H', cs[4:6])[0]
    pos = 4 + siz_len
    com = b'\xff\x64' + struct.pack('>H', len(comment_latin1) + 4) + b'\x00\x01' + comment_latin1
    cs = cs[:pos] + com + cs[pos:]
    im2 = Image.open(io.BytesIO(cs))
    im2.load()
    return cs


def pdf_escape(b):
    return b.replace(b'\\', b'\\\\').replace(b'(', b'\\(').replace(b')', b'\\)')


def make_pdf(info, lines, compress=True, tj_split=None, hex_line=None, xmp=None):
    """A minimal, valid PDF 1.4. info: dict of Info keys -> bytes (already
    PDF string syntax, e.g. b'(Name)' or b'<FEFF...>'). lines: text lines."""
    content = b'BT /F1 11 Tf 50 780 Td 14 TL\n'
    for ln in lines:
        content += b'(' + pdf_escape(ln.encode('latin-1')) + b') Tj T*\n'
    if tj_split:
        content += b'[' + b' '.join(b'(' + pdf_escape(p.encode('latin-1')) + b') -12' for p in tj_split) + b'] TJ T*\n'
    if hex_line:
        content += b'<' + hex_line.encode('latin-1').hex().upper().encode() + b'> Tj T*\n'
    content += b'ET\n'
    objs = []
    objs.append(b'<< /Type /Catalog /Pages 2 0 R' + (b' /Metadata 6 0 R' if xmp else b'') + b' >>')
    objs.append(b'<< /Type /Pages /Kids [3 0 R] /Count 1 >>')
    objs.append(b'<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R '
                b'/Resources << /Font << /F1 5 0 R >> >> >>')
    if compress:
        data = zlib.compress(content)
        objs.append(b'<< /Length %d /Filter /FlateDecode >>\nstream\n' % len(data) + data + b'\nendstream')
    else:
        objs.append(b'<< /Length %d >>\nstream\n' % len(content) + content + b'\nendstream')
    objs.append(b'<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>')
    if xmp:
        objs.append(b'<< /Type /Metadata /Subtype /XML /Length %d >>\nstream\n' % len(xmp) + xmp + b'\nendstream')
    info_obj = b'<< ' + b' '.join(b'/' + k.encode() + b' ' + v for k, v in info.items()) + b' >>'
    objs.append(info_obj)
    info_num = len(objs)
    out = b'%PDF-1.4\n%\xe2\xe3\xcf\xd3\n'
    offs = []
    for n, o in enumerate(objs, 1):
        offs.append(len(out))
        out += b'%d 0 obj\n' % n + o + b'\nendobj\n'
    xref = len(out)
    out += b'xref\n0 %d\n0000000000 65535 f \n' % (len(objs) + 1)
    for o in offs:
        out += b'%010d 00000 n \n' % o
    out += b'trailer\n<< /Size %d /Root 1 0 R /Info %d 0 R >>\nstartxref\n%d\n%%%%EOF\n' % (
        len(objs) + 1, info_num, xref)
    return out


def siemens_csa(entries):
    """CSA2 header ('SV10'): entries = list of (name, vr, [values])."""
    out = b'SV10\x04\x03\x02\x01' + struct.pack('<I', len(entries)) + struct.pack('<I', 77)
    for name, vr, vals in entries:
        out += name.encode('latin-1')[:63].ljust(64, b'\x00')
        out += struct.pack('<i', 1) + vr.encode().ljust(4, b'\x00') + struct.pack('<i', 0)
        out += struct.pack('<i', len(vals)) + struct.pack('<i', 77)
        for v in vals:
            vb = v.encode('latin-1') + b'\x00'
            ln = len(vb)
            out += struct.pack('<iiii', ln, ln, 77, ln)
            out += vb + b'\x00' * ((4 - ln % 4) % 4)
    return out


def ge_blob(fields):
    """GE-like binary parameter block: little endian length-prefixed records
    mixed with floats."""
    out = b'GEPB' + struct.pack('<HH', 3, len(fields))
    for k, v in fields:
        kb = k.encode('ascii')
        vb = v.encode('latin-1')
        out += struct.pack('<B', len(kb)) + kb + struct.pack('<H', len(vb)) + vb + struct.pack('<f', 3.25)
    if len(out) % 2:
        out += b'\x00'
    return out


def even(b):
    return b if len(b) % 2 == 0 else b + b'\x00'


def base64_b(b):
    import base64
    return base64.b64encode(b)


def gzip_b(b):
    import gzip
    return gzip.compress(b, mtime=0)


# ---------------------------------------------------------------------------
# the invented world

def nir_of(rng, sex, y, m, dept):
    body = '%d%02d%02d%s%03d%03d' % (1 if sex == 'M' else 2, y % 100, m, dept,
                                     rng.randint(100, 899), rng.randint(1, 998))
    key = 97 - int(body) % 97
    full = body + '%02d' % key
    fmt = '%s %s %s %s %s %s %s' % (full[0], full[1:3], full[3:5], full[5:7], full[7:10], full[10:13], full[13:15])
    return full, fmt


class Institution:
    def __init__(self, R, name, name_key, dept, dept_key, address, addr_key, phone_fmt,
                 station, serial, ae, url=None, email=None, finess=None):
        self.name = R.text('institution', name, words=[name_key])
        self.dept = R.text('department', dept, words=[dept_key])
        self.address = R.text('address', address, words=[addr_key])
        self.phone = R.phone(phone_fmt, mobile=False)
        self.station = R.text('device_id', station, texts=[station])
        self.serial = R.text('device_serial', serial, texts=[serial, serial.replace('-', '')])
        self.ae = R.text('device_id', ae, texts=[ae])
        self.url = R.text('url', url, texts=[url.split('//')[1].split('/')[0]]) if url else None
        self.email = R.text('email', email, texts=[email]) if email else None
        self.finess = R.number('institution_id', finess, value='FINESS %s' % finess) if finess else None


class Patient:
    def __init__(self, R, given, sex, birth, title, family=None, extra_keys=(),
                 ipp=None, ipp_digits=None, issuer=None, phone_fmt='fr_dots', addr=None,
                 addr_key=None, dept='75'):
        rng = R.rng
        self.name = R.person('patient_name', given, title, family, extra_keys)
        if ipp_digits is None:
            ipp_digits = R.digits(10)
        self.ipp = R.number('ipp', ipp_digits, value=(ipp or '%s') % ipp_digits)
        self.issuer = issuer
        self.birth = R.date(*birth, category='birth_date')
        full, fmt = nir_of(rng, sex, birth[0], birth[1], dept)
        self.nir = R.number('nir', full, value=fmt)
        self.sex = sex
        self.phone = R.phone(phone_fmt)
        if addr:
            self.address = R.text('address', addr, words=[addr_key])
        else:
            self.address = None


def patient_module(ds, P, age=None, other_ids=True, full=True):
    ds.PatientName = P.name.pn
    ds.PatientID = P.ipp.value if not P.ipp.value.startswith('IPP') else P.ipp.digits[0]
    P.ipp.use()
    if P.issuer:
        ds.IssuerOfPatientID = P.issuer
    ds.PatientBirthDate = P.birth.da
    ds.PatientSex = P.sex
    if age:
        ds.PatientAge = age.v
    if full:
        if P.address:
            ds.PatientAddress = P.address.v
        ds.PatientTelephoneNumbers = P.phone.v
    if other_ids:
        o = Dataset()
        o.PatientID = P.nir.value
        P.nir.use()
        o.IssuerOfPatientID = 'INS-NIR'
        o.TypeOfPatientID = 'TEXT'
        ds.OtherPatientIDsSequence = seq(o)


def general_study(ds, study_uid, date, time, acc, ref_phys, desc=None, study_id=None):
    ds.StudyInstanceUID = study_uid
    ds.StudyDate = date.da
    ds.StudyTime = time.v if isinstance(time, Ident) else time
    ds.AccessionNumber = acc.v
    ds.ReferringPhysicianName = ref_phys.pn if ref_phys else ''
    ds.StudyID = study_id or '1'
    if desc:
        ds.StudyDescription = desc


def equipment(ds, I, model='Modèle X', manufacturer='GE MEDICAL SYSTEMS'):
    ds.Manufacturer = manufacturer
    ds.InstitutionName = I.name.v
    ds.InstitutionAddress = I.address.v
    ds.InstitutionalDepartmentName = I.dept.v
    ds.StationName = I.station.v
    ds.ManufacturerModelName = model
    ds.DeviceSerialNumber = I.serial.v
    ds.SoftwareVersions = '4.2.1'


class Ctx:
    def __init__(self, out, seed):
        self.out = out
        self.corpus = os.path.join(out, 'corpus')
        self.R = Registry(seed)
        self.rng = self.R.rng
        self.files = []
        self.cur = None

    def begin(self, rel, description):
        self.cur = {'name': rel, 'description': description}
        self.R.current = rel

    def save(self, ds, **extra):
        rel = self.cur['name']
        path = os.path.join(self.corpus, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        ts = str(ds.file_meta.TransferSyntaxUID)
        pydicom.dcmwrite(path, ds, write_like_original=False)
        cs = ds.get('SpecificCharacterSet', '')
        self.cur.update({'sop_class': str(ds.SOPClassUID), 'transfer_syntax': ts,
                         'charset': cs if isinstance(cs, str) else '\\'.join(cs)})
        self.cur.update(extra)
        self.files.append(self.cur)
        self.R.current = None
        self.cur = None
        return path

    def save_raw(self, data, **extra):
        """Write bytes produced by hand (post-processed DICOM)."""
        rel = self.cur['name']
        path = os.path.join(self.corpus, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, 'wb') as f:
            f.write(data)
        self.cur.update(extra)
        self.files.append(self.cur)
        self.R.current = None
        self.cur = None
        return path

    def uid(self, embed=None):
        return uid(self.rng, embed)


def build_world(C):
    R = C.R
    W = {}
    W['brv'] = Institution(
        R, "Centre Hospitalier Intercommunal de Brévanville-sur-Ourcq", 'brevanville',
        "Imagerie médicale - Pavillon Sérigny-Lacour", 'serigny lacour',
        '14 rue des Capucines Dorées, 77412 Brévanville-sur-Ourcq', 'capucines dorees',
        'fr_spaces', 'CTBRVPAV2', 'GE-CT-55817-QX', 'BRVCTSERIGNY',
        url='https://pacs-web.chi-brevanville.fr/viewer/', email='radio.secretariat@chi-brevanville.fr',
        finess='770810432')
    W['mtv'] = Institution(
        R, 'Clinique Sainte-Ysoline de Montravail', 'montravail',
        'Unité IRM Bâtiment Oriflamme-Sud', 'oriflamme sud',
        '3 allée des Tilleuls Penchés, 21640 Montravail', 'tilleuls penches',
        'intl', 'MRMTVAERA1', 'SMS-175542-MR', 'MTVMRAERA',
        url='http://ris.ysoline-montravail.org/rdv', email='irm.accueil@ysoline-montravail.org',
        finess='210987665')
    W['esc'] = Institution(
        R, "Institut de Cancérologie du Val-d'Escaudrain", 'escaudrain',
        'Département de Radiothérapie Aile Courtebotte', 'courtebotte',
        '221 chemin de la Motte-Fleurie, 59288 Escaudrain', 'motte fleurie',
        'dash', 'LINACESC2', 'ELK-VERSA-91734', 'ESCRTPLAN',
        url='https://dpi.icve-escaudrain.fr/onco', email='physique.medicale@icve-escaudrain.fr',
        finess='590776118')
    W['gdl'] = Institution(
        R, 'Hôpital Privé du Grand-Lieu-Vernaison', 'vernaison',
        'Cardiologie Explorations Niveau Marbrière', 'marbriere',
        '8 bis place des Ormeaux Jumeaux, 69731 Vernaison-le-Grand', 'ormeaux jumeaux',
        'fr_plain', 'ECGVERN04', 'MAC-5500-HD-77412Z', 'VERNECG04',
        url='https://portail.hpglv-vernaison.fr/patients', email='cardio.explo@hpglv-vernaison.fr',
        finess='690554213')
    W['pct'] = Institution(
        R, 'Polyclinique des Hauts de Sarcignac', 'sarcignac',
        'Echographie et Endoscopie Secteur Amandiers-Rouges', 'amandiers rouges',
        '57 avenue du Colonel Pistache, 33981 Sarcignac-sur-Dronne', 'colonel pistache',
        'intl0', 'USSARC7', 'LOGIQ-E10-SN4471902', 'SARCIGNACUS',
        url='https://rdv.polyclinique-sarcignac.fr/', email='accueil@polyclinique-sarcignac.fr',
        finess='330441597')
    return W


# ---------------------------------------------------------------------------
# theme 1: CT series, ISO_IR 100, GE private blocks; explicit / implicit / deflated

def ct_image_common(ds, C, pos):
    ds.ImageType = ['ORIGINAL', 'PRIMARY', 'AXIAL']
    ds.Modality = 'CT'
    ds.SliceThickness = '1.25'
    ds.KVP = '120'
    ds.ImagePositionPatient = [-160, -160, -100 + 1.25 * pos]
    ds.ImageOrientationPatient = [1, 0, 0, 0, 1, 0]
    ds.PixelSpacing = [0.625, 0.625]
    ds.RescaleIntercept = '-1024'
    ds.RescaleSlope = '1'
    ds.InstanceNumber = pos + 1


def theme_ct(C, W):
    R = C.R
    I = W['brv']
    P = Patient(R, 'Hélène', 'F', (1929, 3, 14), 'Mme', family='Lévêque-Dambrine',
                extra_keys=('leveque',), ipp='%s', issuer='CHIBRV',
                addr='27 impasse du Grand Vaulnoir, 77412 Chaussenay-les-Trois', addr_key='vaulnoir')
    W['PA'] = P
    P.age = R.text('age_over_89', '094Y', words=['094y'])
    P.mother = R.person('relative_name', 'Berthe', family='Ribaucourt-Lhomme')
    P.contact = R.person('relative_name', 'Aurélien', 'M.')
    P.contact_phone = R.phone('fr_spaces')
    P.email = R.text('email', 'helene.ldambrine1929@laposte.net', texts=['helene.ldambrine1929@laposte.net', 'ldambrine1929'])
    ref = R.person('physician_name', 'Jérôme', 'Dr')
    perf = R.person('physician_name', 'Noémie', 'Dr')
    reader = R.person('physician_name', 'Benoît', 'Pr')
    op1 = R.person('operator_name', 'Loïc')
    op2 = R.person('operator_name', 'Maëlys')
    study_date = R.date(2023, 11, 17)
    study_time = R.time(14, 35, 27, '482913')
    acc = R.number('accession', R.digits(10), value='A%s')
    acc.value = 'A' + acc.digits[0]
    study_uid = C.uid(embed=P.ipp.digits[0])
    series_uid = C.uid()
    frame_uid = C.uid()
    unknown_tag_val = R.text('other_id', 'PROTO-BRV-GERBIER-2023-117', texts=['brv gerbier 2023 117'])
    install_date = R.date(2016, 2, 29, category='date')
    W['PA_study'] = dict(uid=study_uid, date=study_date, acc=acc, ref=ref, series=series_uid,
                         frame=frame_uid, sops=[])
    hl7 = R.number('hl7_id', R.digits(10), value=None)
    hl7.value = '%s^^^CHIBRV&1.2.250.1.999.77.1&ISO^VN' % hl7.digits[0]

    variants = [
        ('ct/LEVEQUE_DAMBRINE_H/ct_0001.dcm', ExplicitVRLittleEndian, 'CT image, explicit VR LE, ISO_IR 100, GE private blocks, unknown public tag with explicit VR LO'),
        ('ct/LEVEQUE_DAMBRINE_H/ct_0002.dcm', ImplicitVRLittleEndian, 'CT image, implicit VR LE, ISO_IR 100, GE private blocks'),
        ('ct/LEVEQUE_DAMBRINE_H/ct_0003.dcm', DeflatedExplicitVRLittleEndian, 'CT image, deflated explicit VR LE, ISO_IR 100'),
    ]
    per_file = [
        dict(comment=R.person('other_person', 'Yannick', 'M.'), win_phys=R.person('physician_name', 'Solène', 'Dr'),
             phone=R.phone('fr_dots'), textdate=R.date(2023, 11, 14)),
        dict(comment=R.person('other_person', 'Clotilde', 'Mme'), win_phys=R.person('physician_name', 'Gwenaël', 'Dr'),
             phone=R.phone('intl'), textdate=R.date(2023, 10, 30)),
        dict(comment=R.person('other_person', 'Apolline', 'Mme'), win_phys=R.person('physician_name', 'Enzo', 'Dr'),
             phone=R.phone('dash'), textdate=R.date(2023, 9, 21)),
    ]
    for k, (rel, ts, desc) in enumerate(variants):
        pf = per_file[k]
        C.begin(rel, desc)
        ds = new_ds(CT, ts, 'ISO_IR 100', C.rng)
        ds.file_meta.SourceApplicationEntityTitle = I.ae.v
        ds.InstanceCreationDate = study_date.da
        ds.InstanceCreationTime = study_time.v
        ds.StudyDate = study_date.da
        ds.SeriesDate = study_date.da
        ds.AcquisitionDate = study_date.da
        ds.ContentDate = study_date.da
        ds.AcquisitionDateTime = study_date.dt_(study_time.v)
        ds.ContentTime = '143531'
        patient_module(ds, P, age=P.age)
        ds.OtherPatientNames = P.mother.pn_mixed if k == 0 else ''
        ds.PatientMotherBirthName = P.mother.pn
        ds.PatientComments = ('Contact : %s (fils), tél. %s ; courriel %s' % (
            P.contact.full, P.contact_phone.v, P.email.v))
        general_study(ds, study_uid, study_date, study_time, acc, ref,
                      desc='TDM thorax - suivi Mme %s' % P.name.use('Lévêque-Dambrine'))
        ds.NameOfPhysiciansReadingStudy = reader.pn
        ds.PerformingPhysicianName = perf.pn
        ds.OperatorsName = [op1.pn, op2.pn]
        equipment(ds, I, model='Revolution EVO')
        ds.SeriesInstanceUID = series_uid
        ds.SeriesNumber = 3
        ds.SeriesDescription = 'Thorax 1.25 %s' % study_date.fr
        ds.ProtocolName = 'THORAX SUIVI %s' % P.name.ascii_up
        ds.FrameOfReferenceUID = frame_uid
        ds.PositionReferenceIndicator = ''
        ct_image_common(ds, C, k)
        ds.ImageComments = 'Injection faite par %s, patiente agitée' % pf['comment'].titled
        ds.AcquisitionComments = 'Rappeler la patiente au %s si créatinine > 120' % pf['phone'].v
        ds.DerivationDescription = 'Reconstruction demandée le %s par %s' % (pf['textdate'].fr, reader.short)
        ds.WindowCenter = ['-600', '40']
        ds.WindowWidth = ['1500', '400']
        ds.WindowCenterWidthExplanation = ['POUMON %s' % pf['win_phys'].ascii_up, 'MEDIASTIN']
        pc = code('BRVTDM017', '99BRV', 'Scanner thoracique de %s' % P.name.short)
        ds.ProcedureCodeSequence = seq(pc)
        ra = Dataset()
        ra.RequestedProcedureDescription = 'TDM TAP pour Mme %s' % P.name.ascii_up
        ra.ScheduledProcedureStepDescription = 'Scanner %s (demandé par %s)' % (study_date.long, ref.short)
        ra.RequestedProcedureID = 'RP' + acc.digits[0]
        ra.ScheduledProcedureStepID = 'SPS1'
        ra.RequestedProcedureCodeSequence = seq(code('ZBQK002', 'CCAM', 'Scanographie du thorax - Mme %s' % P.name.ascii_up))
        ds.RequestAttributesSequence = seq(ra)
        ds.PerformedProcedureStepDescription = 'TDM du %s' % study_date.abbr
        ds.PerformedProcedureStepStartDate = study_date.da
        ds.PerformedProcedureStepStartTime = study_time.v
        ds.RequestingPhysician = ref.pn
        ds.RequestedProcedureDescription = 'Bilan - adressée par %s' % ref.titled
        if ts == ExplicitVRLittleEndian:
            # public tags unknown to pydicom 2.3 / many dictionaries, explicit VR
            ds.add_new(0x00120022, 'LO', unknown_tag_val.v)       # Issuer of Clinical Trial Protocol ID
            ds.add_new(0x00181205, 'DA', install_date.da)          # Date of Installation
            ds.add_new(0x30020121, 'SH', 'GABARIT %s' % pf['comment'].ascii_up)   # Position Acquisition Template Name
        # GE private blocks
        add_private(ds, 0x0009, 0x10, 'GEMS_IDEN_01', [
            (0x01, 'LO', 'CT_LIGHTSPEED'),
            (0x02, 'SH', I.station.v),
            (0x04, 'SH', 'SUITE %s' % I.name.use('BREVANVILLE')),
        ])
        add_private(ds, 0x0043, 0x10, 'GEMS_PARM_01', [
            (0x01, 'SS', 7),
            (0x39, 'IS', ['0', '0', '0', '0']),
            (0x90, 'LO', 'IPP %s' % P.ipp.digits[0]),
            (0x99, 'OB', ge_blob([('pat', P.name.ascii_up), ('hosp', I.name.use('CHI BREVANVILLE')),
                                  ('tel', P.phone.use(P.phone.value.replace('.', '')))])),
        ])
        add_private(ds, 0x0019, 0x10, 'GEMS_ACQU_01', [
            (0x2f, 'DS', '0.5'),
            (0x9e, 'LO', 'Operateur %s' % op2.initials_login),
        ])
        if k == 1:
            ds.add_new(0x00211010, 'LO', 'GEMS_RELA_01')
            ds.add_new(0x00211091, 'LT', 'HL7 PV1|1|O|IMG^^^BRV||||%s||||||||||||%s' % (ref.pn, hl7.v))
        if k == 1:
            ds.VisitComments = 'vue avec sa fille, mme %s' % P.name.use('lévêque')
        if k == 2:
            ds.PatientBirthName = P.name.use('LEVEQUE^Hélène')
        native_pixels(ds, 32, 32, 16, seed=k)
        ds.SmallestImagePixelValue = 0
        ds.LargestImagePixelValue = 767
        ds['SmallestImagePixelValue'].VR = 'US'
        ds['LargestImagePixelValue'].VR = 'US'
        W['PA_study']['sops'].append(ds.SOPInstanceUID)
        C.save(ds)


# ---------------------------------------------------------------------------
# theme 2: MR, ISO_IR 192 (UTF-8), Siemens CSA / Philips private blocks,
# explicit LE / big endian / implicit LE, NFD and case/accent variants

def theme_mr(C, W):
    R = C.R
    I = W['mtv']
    P = Patient(R, 'Anaïs', 'F', (1958, 7, 9), 'Mme', family='Müller-Lefèvre',
                extra_keys=('mueller lefevre', 'muller lefevre'), ipp='IPP%s', ipp_digits='0' + R.digits(9),
                issuer='CSYM', phone_fmt='intl',
                addr='Chemin des Écluses-Basses 12, 1260 Nyon-Vautrey (Suisse)', addr_key='ecluses basses')
    W['PB'] = P
    P.spouse = R.person('relative_name', 'Grégoire', 'M.')
    ref = R.person('physician_name', 'Ségolène', 'Dr')
    rad = R.person('physician_name', 'François-Xavier', 'Dr')
    op = R.person('operator_name', 'Ophélie')
    study_date = R.date(2024, 3, 12)
    acc = R.number('accession', R.digits(9), value=None)
    acc.value = 'MTV-' + acc.digits[0][:4] + '-' + acc.digits[0][4:]
    study_uid = C.uid()
    series_uid = C.uid()
    login = R.text('operator_name', 'oph.kerbastard', texts=['oph kerbastard'])
    hosp_no = R.number('patient_id', R.digits(11), value=None)
    hosp_no.value = 'DOSS/%s/%s' % (hosp_no.digits[0][:5], hosp_no.digits[0][5:])
    csa_person = R.person('physician_name', 'Ambroise', 'Dr')
    philips_person = R.person('operator_name', 'Timothée')
    nfd_person = R.person('other_person', 'Éloïse', 'Mme', family='Déprèz-Hénocq')
    variants = [
        ('mr/mr_0001.dcm', ExplicitVRLittleEndian, 'MR image, explicit VR LE, ISO_IR 192, Siemens CSA header blobs'),
        ('mr/mr_0002.dcm', ExplicitVRBigEndian, 'MR image, explicit VR BIG endian, ISO_IR 192, Philips private blocks'),
        ('mr/mr_0003.dcm', ImplicitVRLittleEndian, 'MR image, implicit VR LE, ISO_IR 192, NFD / case / accent variants'),
    ]
    for k, (rel, ts, desc) in enumerate(variants):
        C.begin(rel, desc)
        ds = new_ds(MR, ts, 'ISO_IR 192', C.rng)
        patient_module(ds, P, other_ids=(k == 0))
        ds.PatientAge = '065Y'
        general_study(ds, study_uid, study_date, '091512', acc, ref,
                      desc='IRM cérébrale – Mme %s' % P.name.use('Müller-Lefèvre'))
        equipment(ds, I, model='MAGNETOM Aera', manufacturer='SIEMENS')
        ds.Modality = 'MR'
        ds.SeriesInstanceUID = series_uid
        ds.SeriesNumber = 5 + k
        ds.InstanceNumber = k + 1
        ds.StudyDate = study_date.da
        ds.SeriesDate = study_date.da
        ds.OperatorsName = op.pn
        ds.NameOfPhysiciansReadingStudy = rad.pn
        ds.ScanningSequence = 'SE'
        ds.SequenceVariant = 'NONE'
        ds.ImageType = ['ORIGINAL', 'PRIMARY', 'M', 'ND']
        if k == 0:
            ds.SeriesDescription = 't2_tse_tra Müller'
            ds.add_new(0x00290010, 'LO', 'SIEMENS CSA HEADER')
            ds.add_new(0x00290011, 'LO', 'SIEMENS MEDCOM HEADER2')
            ds.add_new(0x00291008, 'CS', 'IMAGE NUM 4')
            ds.add_new(0x00291009, 'LO', '20240312')
            ds.add_new(0x00291010, 'OB', even(siemens_csa([
                ('EchoLinePosition', 'IS', ['128']),
                ('ImaComments', 'LT', ['Patiente %s, IPP %s' % (P.name.use('MULLER-LEFEVRE Anais'), P.ipp.value)]),
                ('UsedPatientWeight', 'DS', ['61']),
                ('ImaCoilString', 'LO', ['HE1-4']),
            ])))
            asc = ('### ASCCONV BEGIN ###\n'
                   'ulVersion = 0x14b44b6\n'
                   'tProtocolName = "t2_tse_tra+AF8-%s"\n'
                   'sProtConsistencyInfo.tMeasuredBaselineString = "N4_VE11C_LATEST_20160120"\n'
                   'sPatient.tPatientNotes = "Rappel %s %s"\n'
                   'tSequenceFileName = "%%SiemensSeq%%\\\\tse"\n'
                   '### ASCCONV END ###\n') % (csa_person.ascii_up, login.v, I.phone.use(I.phone.forms_all['intl']))
            ds.add_new(0x00291020, 'OB', even(siemens_csa([
                ('MrPhoenixProtocol', 'UN', [asc]),
                ('SeriesComments', 'LT', ['Protocole validé par %s' % csa_person.titled]),
            ])))
            ds.add_new(0x00291131, 'LO', 'Station %s' % I.station.v)
            ds.RetrieveURL = I.url.v + '?acc=' + acc.digits[0]
            ds.add_new(0x00291160, 'LO', hosp_no.v)
        if k == 1:
            ds.SeriesDescription = 'T1 SE sag'
            add_private(ds, 0x2005, 0x10, 'PHILIPS MR IMAGING DD 001', [
                (0x0d, 'FL', 1.0),
                (0x2e, 'CS', 'MR'),
                (0x86, 'LO', 'Opérateur %s' % philips_person.full),
                (0x99, 'UT', 'ExamCard: NEURO_%s; validé le %s' % (P.name.use('MULLER_LEFEVRE'), study_date.fr)),
            ])
            add_private(ds, 0x2001, 0x10, 'Philips Imaging DD 001', [
                (0x0b, 'CS', 'TRANSVERSAL'),
                (0x1d, 'LO', 'Epouse de %s' % P.spouse.full_up),
                (0x6e, 'SH', 'SERIE-%s' % acc.digits[0][-6:]),
                (0x7a, 'LO', 'contact %s' % I.email.v),
            ])
            ds.add_new(0x20050011, 'LO', 'PHILIPS MR IMAGING DD 002')
            ds.add_new(0x20051137, 'PN', philips_person.pn)
        if k == 2:
            # NFD forms (decomposed accents), other cases, accent-stripped
            ds.SeriesDescription = unicodedata.normalize('NFD', 'Diffusion Mme Müller-Lefèvre')
            P.name.use(unicodedata.normalize('NFD', 'Müller-Lefèvre'))
            ds.ImageComments = unicodedata.normalize('NFD', 'Vue par %s ; cf. courrier de %s' % (
                nfd_person.full, rad.use('dr ' + strip_accents(rad.family).lower())))
            ds.DerivationDescription = 'copie pour muller-lefevre anais (%s)' % P.birth.iso
            ds.AdditionalPatientHistory = unicodedata.normalize('NFD', 'Mari : %s, joignable au %s' % (
                P.spouse.full, P.phone.use(P.phone.forms_all['0033'])))
        native_pixels(ds, 32, 32, 8 if ts == ExplicitVRBigEndian else 16, seed=10 + k)
        C.save(ds)


# ---------------------------------------------------------------------------
# theme 3: enhanced multi-frame CT, shared / per-frame functional groups

def theme_enh_ct(C, W):
    R = C.R
    I = W['brv']
    P = Patient(R, 'Théodore', 'M', (1941, 12, 2), 'M.', ipp='%s', ipp_digits='80' + R.digits(8),
                issuer='CHIBRV', phone_fmt='fr_spaces',
                addr='Lieu-dit La Grange-aux-Chouettes, 77412 Saint-Fiacre-du-Ru', addr_key='grange aux chouettes')
    W['PC'] = P
    ref = R.person('physician_name', 'Capucine', 'Dr')
    op = R.person('operator_name', 'Médéric')
    study_date = R.date(2022, 6, 23)
    acc = R.number('accession', R.digits(10))
    study_uid = C.uid()
    frame_uid = C.uid()
    W['PC_study'] = dict(uid=study_uid, date=study_date, acc=acc, ref=ref, frame=frame_uid, sops=[])
    for k, (rel, ts) in enumerate([('enhct/enh_ct_0001.dcm', ExplicitVRLittleEndian),
                                   ('enhct/enh_ct_0002.dcm', DeflatedExplicitVRLittleEndian)]):
        C.begin(rel, 'Enhanced CT, 4 frames, per-frame and shared functional groups (%s)' %
                ('explicit VR LE' if k == 0 else 'deflated'))
        nframes = 4
        ds = new_ds(ENH_CT, ts, 'ISO_IR 100', C.rng)
        patient_module(ds, P, other_ids=False)
        general_study(ds, study_uid, study_date, '101010', acc, ref, desc='Angioscanner')
        equipment(ds, I, model='Revolution EVO')
        ds.Modality = 'CT'
        ds.SeriesInstanceUID = C.uid()
        ds.SeriesNumber = 40 + k
        ds.InstanceNumber = 1
        ds.FrameOfReferenceUID = frame_uid
        ds.OperatorsName = op.pn
        ds.ImageType = ['ORIGINAL', 'PRIMARY', 'AXIAL', 'NONE']
        ds.ContentDate = study_date.da
        ds.ContentTime = '101512'
        ds.AcquisitionDateTime = study_date.dt_('101212.000000')
        ds.ContentQualification = 'PRODUCT'
        ds.BurnedInAnnotation = 'NO'
        ds.PresentationLUTShape = 'IDENTITY'
        ds.LossyImageCompression = '00'
        ds.PixelPresentation = 'MONOCHROME'
        ds.VolumetricProperties = 'VOLUME'
        ds.VolumeBasedCalculationTechnique = 'NONE'
        ds.AcquisitionNumber = 1
        # shared functional groups
        sh = Dataset()
        pm = Dataset()
        pm.PixelSpacing = [0.7, 0.7]
        pm.SliceThickness = '1'
        sh.PixelMeasuresSequence = seq(pm)
        po = Dataset()
        po.ImageOrientationPatient = [1, 0, 0, 0, 1, 0]
        sh.PlaneOrientationSequence = seq(po)
        ft = Dataset()
        ft.FrameType = ['ORIGINAL', 'PRIMARY', 'AXIAL', 'NONE']
        sh.CTImageFrameTypeSequence = seq(ft)
        der = Dataset()
        der.DerivationDescription = 'Recalage sur examen antérieur de %s du %s' % (
            P.name.full_up, R.date(2021, 1, 19).fr)
        src = Dataset()
        src.ReferencedSOPClassUID = CT
        src.ReferencedSOPInstanceUID = C.uid(embed=P.ipp.digits[0])
        src.PurposeOfReferenceCodeSequence = seq(code('121322', 'DCM', 'Source image for image processing operation'))
        der.SourceImageSequence = seq(src)
        der.DerivationCodeSequence = seq(code('113076', 'DCM', 'Segmentation'))
        sh.DerivationImageSequence = seq(der)
        rw = Dataset()
        rw.LUTExplanation = 'HU calibré par %s' % R.person('other_person', 'Isaure', 'Mme').titled
        rw.LUTLabel = 'HU_%s' % P.name.ascii_up[:10]
        rw.RealWorldValueFirstValueMapped = 0
        rw.RealWorldValueLastValueMapped = 4095
        rw.RealWorldValueIntercept = -1024
        rw.RealWorldValueSlope = 1
        rw.MeasurementUnitsCodeSequence = seq(code('[hnsf\'U]', 'UCUM', 'Hounsfield unit'))
        sh.RealWorldValueMappingSequence = seq(rw)
        # private block inside the shared group item
        sh.add_new(0x00430010, 'LO', 'GEMS_PARM_01')
        sh.add_new(0x00431028, 'OB', even(('RECON %s %s' % (P.name.ascii_up, P.ipp.digits[0])).encode('latin-1')))
        ds.SharedFunctionalGroupsSequence = seq(sh)
        pfs = []
        for f in range(nframes):
            it = Dataset()
            fc = Dataset()
            fc.FrameAcquisitionNumber = f + 1
            fc.FrameAcquisitionDateTime = study_date.dt_('1012%02d.%06d' % (10 + f, 250000 + f))
            fc.FrameReferenceDateTime = study_date.dt_('1012%02d.%06d' % (10 + f, 250000 + f))
            fc.FrameAcquisitionDuration = 500
            fc.StackID = '1'
            fc.InStackPositionNumber = f + 1
            fc.DimensionIndexValues = [1, f + 1]
            if f == 0:
                fc.FrameLabel = 'Repère %s' % R.person('physician_name', 'Odilon', 'Dr').short
            if f == 1:
                fc.FrameComments = 'Coupe montrée à la fille de M. %s (tél %s)' % (
                    P.name.use(P.name.family), P.phone.v)
            if f == 2:
                fc.FrameComments = 'Annotée le %s' % R.date(2022, 7, 4).long
            if f == 3 and k == 1:
                fc.FrameLabel = 'IPP%s' % P.ipp.digits[0]
            it.FrameContentSequence = seq(fc)
            pp = Dataset()
            pp.ImagePositionPatient = [-100, -100, -50 + f]
            it.PlanePositionSequence = seq(pp)
            voi = Dataset()
            voi.WindowCenter = '40'
            voi.WindowWidth = '400'
            if f == 2:
                voi.WindowCenterWidthExplanation = 'Fenêtre choisie par %s' % R.person('physician_name', 'Prosper', 'Dr').titled
            it.FrameVOILUTSequence = seq(voi)
            if f == 3:
                ie = Dataset()
                ie.IrradiationEventUID = C.uid()
                it.IrradiationEventIdentificationSequence = seq(ie)
                it.add_new(0x00210010, 'LO', 'HOPITAL BRV ANNOT')
                it.add_new(0x00211001, 'LT', 'validé %s %s' % (op.initials_login, R.date(2022, 6, 27).fr))
            pfs.append(it)
        ds.PerFrameFunctionalGroupsSequence = Sequence(pfs)
        dim = Dataset()
        dim.DimensionOrganizationUID = C.uid()
        ds.DimensionOrganizationSequence = seq(dim)
        di1 = Dataset()
        di1.DimensionOrganizationUID = dim.DimensionOrganizationUID
        di1.DimensionIndexPointer = 0x00209056
        di1.FunctionalGroupPointer = 0x00209111
        di2 = Dataset()
        di2.DimensionOrganizationUID = dim.DimensionOrganizationUID
        di2.DimensionIndexPointer = 0x00209057
        di2.FunctionalGroupPointer = 0x00209111
        ds.DimensionIndexSequence = seq(di1, di2)
        ds.ContentDate = study_date.da
        native_pixels(ds, 32, 32, 16, frames=nframes, seed=20 + k)
        ds.RescaleIntercept = '-1024'
        ds.RescaleSlope = '1'
        ds.RescaleType = 'HU'
        W['PC_study']['sops'].append(ds.SOPInstanceUID)
        C.save(ds)


# ---------------------------------------------------------------------------
# theme 4: structured reports (content trees to depth 6), key object selection

def ci(rel, vt, name, value=None, children=None, **kw):
    d = Dataset()
    if rel:
        d.RelationshipType = rel
    d.ValueType = vt
    if name is not None:
        d.ConceptNameCodeSequence = seq(name)
    if vt == 'TEXT':
        d.TextValue = value
    elif vt == 'PNAME':
        d.PersonName = value
    elif vt == 'CODE':
        d.ConceptCodeSequence = seq(value)
    elif vt == 'UIDREF':
        d.UID = value
    elif vt == 'DATE':
        d.Date = value
    elif vt == 'TIME':
        d.Time = value
    elif vt == 'DATETIME':
        d.DateTime = value
    elif vt == 'NUM':
        mv = Dataset()
        mv.NumericValue = value
        mv.MeasurementUnitsCodeSequence = seq(code('mm', 'UCUM', 'mm'))
        d.MeasuredValueSequence = seq(mv)
    elif vt == 'CONTAINER':
        d.ContinuityOfContent = 'SEPARATE'
    for k, v in kw.items():
        setattr(d, k, v)
    if children:
        d.ContentSequence = Sequence(children)
    return d


def sr_header(ds, C, P, study, I, completion='COMPLETE'):
    ds.Modality = 'SR'
    ds.SeriesInstanceUID = C.uid()
    ds.SeriesNumber = 900
    ds.InstanceNumber = 1
    ds.CompletionFlag = completion
    ds.VerificationFlag = 'VERIFIED' if completion == 'COMPLETE' else 'UNVERIFIED'
    ds.Manufacturer = 'Atelier-Test'
    ds.ReferencedPerformedProcedureStepSequence = Sequence([])
    ev = Dataset()
    ev.StudyInstanceUID = study['uid']
    rs = Dataset()
    rs.SeriesInstanceUID = study.get('series', C.uid())
    sops = []
    for u in study.get('sops', [])[:2]:
        r = Dataset()
        r.ReferencedSOPClassUID = CT
        r.ReferencedSOPInstanceUID = u
        sops.append(r)
    rs.ReferencedSOPSequence = Sequence(sops)
    ev.ReferencedSeriesSequence = seq(rs)
    ds.CurrentRequestedProcedureEvidenceSequence = seq(ev)


def theme_sr(C, W):
    R = C.R
    I = W['brv']
    P = Patient(R, 'Gaspard', 'M', (1936, 8, 23), 'M.', ipp='%s', ipp_digits=R.digits(10),
                issuer='CHIBRV', phone_fmt='fr_dots',
                addr='5 sente du Moulin-Brûlé, 77412 Pommeraye-en-Brie', addr_key='moulin brule')
    W['PE'] = P
    study = dict(uid=C.uid(), sops=W['PA_study']['sops'])
    sdate = R.date(2024, 1, 8)
    acc = R.number('accession', R.digits(10), value=None)
    acc.value = 'BRV%sR' % acc.digits[0]
    author = R.person('physician_name', 'Ghislain', 'Dr')
    rpps = R.number('physician_id', '10' + R.digits(9), value=None)
    rpps.value = 'RPPS %s' % rpps.digits[0]
    verifier = R.person('physician_name', 'Bérengère', 'Pr')
    referrer = R.person('physician_name', 'Amaury', 'Dr')
    wife = R.person('relative_name', 'Pétronille', 'Mme')
    gp = R.person('physician_name', 'Eustache', 'Dr')
    placer = R.number('order_id', R.digits(12))
    filler = R.number('order_id', R.digits(11), value=None)
    filler.value = 'F-%s' % filler.digits[0]
    email = R.text('email', 'g.orlhac-radiologie@chi-brevanville.fr', texts=['orlhac radiologie'])
    d_l5 = R.date(2023, 12, 28)
    d_free = R.date(2023, 12, 19)
    t_dt = R.time(16, 4, 52, '118302')
    # ---- comprehensive SR, depth 6 ----
    C.begin('sr/sr_comprehensive_0001.dcm', 'Comprehensive SR, ISO_IR 100, content tree to depth 6 (TEXT/PNAME/CODE meaning/UIDREF/DATE/DATETIME), observer and participant sequences')
    ds = new_ds(COMP_SR, ExplicitVRLittleEndian, 'ISO_IR 100', C.rng)
    patient_module(ds, P)
    general_study(ds, study['uid'], sdate, '083000', acc, referrer, desc='CR TDM thorax')
    sr_header(ds, C, P, study, I)
    ds.InstitutionName = I.name.v
    ds.ContentDate = sdate.da
    ds.ContentTime = '091500'
    vo = Dataset()
    vo.VerifyingObserverName = verifier.pn
    vo.VerifyingOrganization = I.name.use('CHI de Brévanville, service de radiologie')
    vo.VerificationDateTime = sdate.dt_(t_dt.v)
    vo.VerifyingObserverIdentificationCodeSequence = seq(code(rpps.digits[0], 'RPPS', verifier.full_up))
    rpps.use()
    ds.VerifyingObserverSequence = seq(vo)
    ao = Dataset()
    ao.ObserverType = 'PSN'
    ao.PersonName = author.pn
    ao.PersonIdentificationCodeSequence = seq(code('ADELI-754' + R.digits(6), '99ADELI', author.full))
    ao.InstitutionName = I.name.v
    ao.InstitutionalDepartmentName = I.dept.v
    ds.AuthorObserverSequence = seq(ao)
    pa = Dataset()
    pa.ParticipationType = 'ENT'
    pa.ParticipationDateTime = sdate.dt_('0915')
    pa.ObserverType = 'PSN'
    pa.PersonName = R.person('other_person', 'Sidonie', 'Mme').pn
    pa.PersonTelephoneNumbers = I.phone.v
    ds.ParticipantSequence = seq(pa)
    co = Dataset()
    co.InstitutionName = I.name.v
    ds.CustodialOrganizationSequence = seq(co)
    rq = Dataset()
    rq.StudyInstanceUID = study['uid']
    rq.AccessionNumber = acc.v
    rq.RequestedProcedureID = 'RP' + acc.digits[0][-6:]
    rq.RequestedProcedureDescription = 'TDM TAP de M. %s' % P.name.ascii_up
    rq.PlacerOrderNumberImagingServiceRequest = placer.v
    rq.FillerOrderNumberImagingServiceRequest = filler.v
    rq.RequestedProcedureCodeSequence = seq(code('ZBQK002', 'CCAM', 'Scanner de M. %s' % P.name.use(P.name.family)))
    ds.ReferencedRequestSequence = seq(rq)
    ds.PerformedProcedureCodeSequence = seq(code('ZBQK002', 'CCAM', 'TDM thorax M. %s' % P.name.ascii_up))
    tmpl = Dataset()
    tmpl.MappingResource = 'DCMR'
    tmpl.TemplateIdentifier = '2000'
    ds.ContentTemplateSequence = seq(tmpl)
    ds.ConceptNameCodeSequence = seq(code('18748-4', 'LN', 'Diagnostic Imaging Report'))
    ds.ValueType = 'CONTAINER'
    ds.ContinuityOfContent = 'SEPARATE'
    # observation context
    ctx_items = [
        ci('HAS OBS CONTEXT', 'CODE', code('121005', 'DCM', 'Observer Type'), code('121006', 'DCM', 'Person')),
        ci('HAS OBS CONTEXT', 'PNAME', code('121008', 'DCM', 'Person Observer Name'), author.pn),
        ci('HAS OBS CONTEXT', 'TEXT', code('121009', 'DCM', "Person Observer's Organization Name"), I.name.v),
        ci('HAS OBS CONTEXT', 'PNAME', code('121029', 'DCM', 'Subject Name'), P.name.pn),
        ci('HAS OBS CONTEXT', 'TEXT', code('121030', 'DCM', 'Subject ID'), P.ipp.v),
        ci('HAS OBS CONTEXT', 'DATE', code('121031', 'DCM', 'Subject Birth Date'), P.birth.da),
    ]
    l6 = ci('HAS PROPERTIES', 'TEXT', code('121106', 'DCM', 'Comment'),
            'Vu avec son épouse %s, joignable au %s' % (wife.full, R.phone('fr_spaces').v))
    l5 = [
        ci('CONTAINS', 'TEXT', code('121071', 'DCM', 'Finding'),
           'Nodule du LSD 8 mm, stable depuis le %s (%s).' % (d_free.fr, d_free.long), children=[l6]),
        ci('CONTAINS', 'PNAME', code('BRV0042', '99BRV', 'Second lecteur'), R.person('physician_name', 'Hermine', 'Dr').pn),
        ci('CONTAINS', 'CODE', code('BRV0043', '99BRV', 'Avis de %s' % R.person('physician_name', 'Valère', 'Dr').titled),
           code('BRV0044', '99BRV', 'Adressé par %s' % gp.titled)),
        ci('CONTAINS', 'UIDREF', code('110180', 'DCM', 'Study Instance UID'), C.uid(embed=P.ipp.digits[0])),
        ci('CONTAINS', 'DATE', code('111060', 'DCM', 'Study Date'), d_l5.da),
        ci('CONTAINS', 'DATETIME', code('111526', 'DCM', 'DateTime Started'), sdate.dt_(t_dt.v)),
        ci('CONTAINS', 'TEXT', code('121106', 'DCM', 'Comment'),
           'Compte rendu envoyé à %s et à la patiente (%s), NIR %s' % (gp.full_up, email.v, P.nir.value)),
    ]
    P.nir.use()
    l4 = [ci('CONTAINS', 'CONTAINER', code('BRV0040', '99BRV', 'Lésion 1'), children=l5),
          ci('CONTAINS', 'NUM', code('121206', 'DCM', 'Distance'), '8')]
    l3 = [ci('CONTAINS', 'CONTAINER', code('121070', 'DCM', 'Findings'), children=l4)]
    l2 = [ci('CONTAINS', 'CONTAINER', code('BRV0030', '99BRV', 'Thorax'), children=l3)]
    l1 = ctx_items + [
        ci('CONTAINS', 'CONTAINER', code('121070', 'DCM', 'Findings'), children=l2),
        ci('CONTAINS', 'TEXT', code('121060', 'DCM', 'History'),
           'Patient de %d ans, ancien mineur. Adresse : %s.' % (87, P.address.v)),
        ci('CONTAINS', 'TEXT', code('121076', 'DCM', 'Conclusion'),
           'Pas de progression. Dr %s' % author.family.upper()),
    ]
    author.use()
    ds.ContentSequence = Sequence(l1)
    C.save(ds)

    # ---- enhanced SR, implicit VR, UTF-8 ----
    C.begin('sr/sr_enhanced_0002.dcm', 'Enhanced SR, implicit VR LE, ISO_IR 192, free-text report with many identifier forms')
    ds = new_ds(ENH_SR, ImplicitVRLittleEndian, 'ISO_IR 192', C.rng)
    patient_module(ds, P, other_ids=False)
    general_study(ds, study['uid'], sdate, '083000', acc, referrer)
    sr_header(ds, C, P, study, I, completion='PARTIAL')
    ds.ContentDate = sdate.da
    ds.ContentTime = '101500'
    ds.ConceptNameCodeSequence = seq(code('18748-4', 'LN', 'Diagnostic Imaging Report'))
    ds.ValueType = 'CONTAINER'
    ds.ContinuityOfContent = 'SEPARATE'
    sec = R.person('other_person', 'Bénédicte', 'Mme')
    addr2 = R.text('address', '9 boulevard des Hérons-Cendrés, 75119 Paris', words=['herons cendres'])
    txt = ('Madame, Monsieur,\r\nJ\'ai vu en consultation M. %s %s, né le %s (%s), domicilié %s.\r\n'
           'Son fils habite %s. Téléphone : %s ou %s.\r\n'
           'Examen réalisé le %s à %s h. Secrétariat : %s, %s.\r\n'
           'Suivi par %s (%s).' % (
               P.name.given, P.name.use(P.name.family.upper()), P.birth.fr, P.birth.long, P.address.v,
               addr2.v, P.phone.use(P.phone.forms_all['fr_spaces']), I.phone.v,
               sdate.long, '8 h 30', sec.full, I.email.v, gp.titled, R.text('url', 'https://dmp.example-sante.fr/patient/%s' % P.ipp.digits[0], texts=['dmp example sante fr']).v))
    I.name.use()   # the secretariat e-mail domain names the institution
    l4 = [ci('HAS PROPERTIES', 'TEXT', code('121106', 'DCM', 'Comment'), 'Relu par %s' % sec.titled)]
    l3 = [ci('CONTAINS', 'TEXT', code('121071', 'DCM', 'Finding'), txt, children=l4)]
    l2 = [ci('CONTAINS', 'CONTAINER', code('121070', 'DCM', 'Findings'), children=l3)]
    ds.ContentSequence = Sequence([
        ci('HAS OBS CONTEXT', 'PNAME', code('121008', 'DCM', 'Person Observer Name'), gp.pn),
        ci('CONTAINS', 'CONTAINER', code('BRV0050', '99BRV', 'Lettre'), children=l2)])
    C.save(ds)

    # ---- basic text SR, deflated, HL7 message in a TEXT item ----
    C.begin('sr/sr_basic_text_0003.dcm', 'Basic Text SR, deflated transfer syntax, HL7 v2 message in nested TEXT')
    ds = new_ds(BASIC_SR, DeflatedExplicitVRLittleEndian, 'ISO_IR 100', C.rng)
    patient_module(ds, P, other_ids=False)
    general_study(ds, study['uid'], sdate, '083000', acc, referrer)
    sr_header(ds, C, P, study, I)
    ds.ContentDate = sdate.da
    ds.ContentTime = '111500'
    ds.ConceptNameCodeSequence = seq(code('11528-7', 'LN', 'Radiology Report'))
    ds.ValueType = 'CONTAINER'
    ds.ContinuityOfContent = 'SEPARATE'
    visit = R.number('hl7_id', R.digits(10), value=None)
    visit.value = '%s^^^CHIBRV&1.2.250.1.999.77.1&ISO^VN' % visit.digits[0]
    hl7 = ('MSH|^~\\&|RIS|CHIBRV|PACS|CHIBRV|%s0812||ORU^R01|MSG%s|P|2.5\r'
           'PID|1||%s^^^CHIBRV^PI~%s^^^ASIP-SANTE-NIR&1.2.250.1.213.1.4.8&ISO^NH||%s^%s||%s|M|||%s||%s\r'
           'PV1|1|O|RADIO||||%s^%s^%s||||||||||||%s\r') % (
        sdate.da, R.digits(8), P.ipp.v, P.nir.digits[0], P.name.ascii_up, P.name.given, P.birth.da,
        P.address.v.replace(',', '^'), P.phone.v, rpps.digits[0], referrer.family.upper(), referrer.given, visit.v)
    P.nir.use()
    referrer.use()
    rpps.use()
    l3 = [ci('CONTAINS', 'TEXT', code('BRV0060', '99BRV', 'Message HL7 source'), hl7)]
    l2 = [ci('CONTAINS', 'CONTAINER', code('BRV0061', '99BRV', 'Trace'), children=l3)]
    ds.ContentSequence = Sequence([
        ci('CONTAINS', 'TEXT', code('121060', 'DCM', 'History'), 'Dyspnée. Patient accompagné de sa femme %s.' % wife.pn_mixed),
        ci('CONTAINS', 'CONTAINER', code('BRV0062', '99BRV', 'Annexe'), children=l2)])
    C.save(ds)

    # ---- key object selection ----
    C.begin('sr/kos_0004.dcm', 'Key Object Selection document, key object description TEXT with names')
    ds = new_ds(KOS, ExplicitVRLittleEndian, 'ISO_IR 100', C.rng)
    patient_module(ds, P, other_ids=False, full=False)
    general_study(ds, study['uid'], sdate, '083000', acc, referrer)
    ds.Modality = 'KO'
    ds.SeriesInstanceUID = C.uid()
    ds.SeriesNumber = 901
    ds.InstanceNumber = 1
    ds.Manufacturer = 'Atelier-Test'
    ds.ReferencedPerformedProcedureStepSequence = Sequence([])
    ds.ContentDate = sdate.da
    ds.ContentTime = '120000'
    ev = Dataset()
    ev.StudyInstanceUID = study['uid']
    rs = Dataset()
    rs.SeriesInstanceUID = W['PA_study']['series']
    r = Dataset()
    r.ReferencedSOPClassUID = CT
    r.ReferencedSOPInstanceUID = W['PA_study']['sops'][0]
    rs.ReferencedSOPSequence = seq(r)
    ev.ReferencedSeriesSequence = seq(rs)
    ds.CurrentRequestedProcedureEvidenceSequence = seq(ev)
    ds.ConceptNameCodeSequence = seq(code('113000', 'DCM', 'Of Interest'))
    ds.ValueType = 'CONTAINER'
    ds.ContinuityOfContent = 'SEPARATE'
    tmpl = Dataset()
    tmpl.MappingResource = 'DCMR'
    tmpl.TemplateIdentifier = '2010'
    ds.ContentTemplateSequence = seq(tmpl)
    rcp = R.date(2024, 1, 16)
    img = ci('CONTAINS', 'IMAGE', None)
    rsop = Dataset()
    rsop.ReferencedSOPClassUID = CT
    rsop.ReferencedSOPInstanceUID = W['PA_study']['sops'][0]
    img.ReferencedSOPSequence = seq(rsop)
    ds.ContentSequence = Sequence([
        ci('CONTAINS', 'TEXT', code('113012', 'DCM', 'Key Object Description'),
           'Images pour la RCP du %s - dossier de M. %s, présenté par %s' % (rcp.abbr, P.name.ascii_up, R.person('physician_name', 'Anselme', 'Dr').titled)),
        img])
    C.save(ds)


# ---------------------------------------------------------------------------
# theme 5: radiotherapy (RT Plan, RT Structure Set, RT Dose, RT Beams Treatment Record)

def theme_rt(C, W):
    R = C.R
    I = W['esc']
    P = Patient(R, 'Rosalie', 'F', (1949, 5, 31), 'Mme', ipp='NIP-%s', ipp_digits=R.digits(9),
                issuer='ICVE', phone_fmt='dash',
                addr='Résidence Les Glycines Bleues, bât. C, 59288 Escaudrain-Village', addr_key='glycines bleues')
    W['PD'] = P
    onco = R.person('physician_name', 'Barnabé', 'Dr')
    phys = R.person('operator_name', 'Aglaé')            # medical physicist
    dosi = R.person('operator_name', 'Ulysse')           # dosimetrist
    manip = R.person('operator_name', 'Philippine')      # radiotherapy technologist
    reviewer = R.person('physician_name', 'Cunégonde', 'Dr')
    interp = R.person('physician_name', 'Rodrigue', 'Dr')
    study_date = R.date(2024, 2, 6)
    plan_date = R.date(2024, 2, 9)
    acc = R.number('accession', R.digits(10), value=None)
    acc.value = 'RT%s' % acc.digits[0]
    study_uid = C.uid()
    frame_uid = C.uid()
    ss_uid = C.uid()
    plan_uid = C.uid()
    ct_ref_uid = C.uid(embed=P.ipp.digits[0])

    def common(ds, modality, series_no):
        patient_module(ds, P, other_ids=False)
        general_study(ds, study_uid, study_date, '081500', acc, onco, desc='RTH sein G')
        ds.Modality = modality
        ds.SeriesInstanceUID = C.uid()
        ds.SeriesNumber = series_no
        ds.InstanceNumber = 1
        ds.FrameOfReferenceUID = frame_uid
        ds.PositionReferenceIndicator = ''
        equipment(ds, I, model='Monaco 6', manufacturer='Elekta')
        ds.OperatorsName = [dosi.pn]

    # ---------------- RT plan
    C.begin('rt/rtplan_0001.dcm', 'RT Plan: beam names/descriptions, tolerance tables, patient setup, fraction groups, reviewer')
    ds = new_ds(RT_PLAN, ExplicitVRLittleEndian, 'ISO_IR 100', C.rng, sop_uid=plan_uid)
    common(ds, 'RTPLAN', 1)
    ds.RTPlanLabel = 'SEIN_G_%s' % P.name.ascii_up[:6]
    ds.RTPlanName = 'Sein G %s' % P.name.use(P.name.family)
    ds.RTPlanDescription = 'Plan validé par %s le %s, tél. physique %s' % (phys.titled or phys.full, plan_date.fr, I.phone.v)
    ds.RTPlanDate = plan_date.da
    ds.RTPlanTime = '170212'
    ds.PlanIntent = 'CURATIVE'
    ds.RTPlanGeometry = 'PATIENT'
    ds.ApprovalStatus = 'APPROVED'
    ds.ReviewDate = plan_date.da
    ds.ReviewTime = '181512'
    ds.ReviewerName = reviewer.pn
    ds.PrescriptionDescription = '50 Gy/25 fr - prescrit par %s' % onco.titled
    rss = Dataset()
    rss.ReferencedSOPClassUID = RT_STRUCT
    rss.ReferencedSOPInstanceUID = ss_uid
    ds.ReferencedStructureSetSequence = seq(rss)
    dr = Dataset()
    dr.DoseReferenceNumber = 1
    dr.DoseReferenceUID = C.uid()
    dr.DoseReferenceStructureType = 'SITE'
    dr.DoseReferenceDescription = 'PTV sein - contouré par %s' % interp.short
    dr.DoseReferenceType = 'TARGET'
    ds.DoseReferenceSequence = seq(dr)
    tol = Dataset()
    tol.ToleranceTableNumber = 1
    tol.ToleranceTableLabel = 'TOL %s' % manip.ascii_up
    tol.GantryAngleTolerance = 1.0
    ds.ToleranceTableSequence = seq(tol)
    fg = Dataset()
    fg.FractionGroupNumber = 1
    fg.FractionGroupDescription = 'Fractions 1-25, débuter le %s (%s)' % (R.date(2024, 2, 19).long, manip.full)
    fg.NumberOfFractionsPlanned = 25
    fg.NumberOfBeams = 2
    fg.NumberOfBrachyApplicationSetups = 0
    rbs = []
    for b in (1, 2):
        rb = Dataset()
        rb.ReferencedBeamNumber = b
        rb.BeamMeterset = 120.5
        rbs.append(rb)
    fg.ReferencedBeamSequence = Sequence(rbs)
    ds.FractionGroupSequence = seq(fg)
    beams = []
    for b in (1, 2):
        bm = Dataset()
        bm.BeamNumber = b
        if b == 1:
            bm.BeamName = 'TGT %s' % P.name.ascii_up[:8]
            bm.BeamDescription = 'Faisceau dessiné par %s' % phys.full
        else:
            bm.BeamName = 'Tangent. ext %s' % dosi.initials_login
            bm.BeamDescription = 'ne pas traiter si Mme %s absente du %s' % (
                P.name.use(P.name.family), R.date(2024, 3, 4).abbr)
        bm.BeamType = 'STATIC'
        bm.RadiationType = 'PHOTON'
        bm.TreatmentMachineName = I.station.v
        bm.Manufacturer = 'Elekta'
        bm.InstitutionName = I.name.v
        bm.InstitutionalDepartmentName = I.dept.v
        bm.ManufacturerModelName = 'Versa HD'
        bm.DeviceSerialNumber = I.serial.v
        bm.PrimaryDosimeterUnit = 'MU'
        bm.SourceAxisDistance = 1000
        bm.ReferencedPatientSetupNumber = 1
        bm.ReferencedToleranceTableNumber = 1
        bm.TreatmentDeliveryType = 'TREATMENT'
        bm.NumberOfWedges = 0
        bm.NumberOfCompensators = 0
        bm.NumberOfBoli = 0
        bm.NumberOfBlocks = 1
        blk = Dataset()
        blk.BlockNumber = 1
        blk.BlockName = 'Cache %s' % (R.person('operator_name', 'Eulalie').short if b == 1 else 'poumon')
        blk.BlockType = 'SHIELDING'
        blk.BlockDivergence = 'PRESENT'
        blk.MaterialID = 'CERROBEND'
        blk.BlockNumberOfPoints = 3
        blk.BlockData = [0, 0, 10, 0, 10, 10]
        blk.SourceToBlockTrayDistance = 650
        blk.BlockTransmission = 0.05
        blk.BlockThickness = 70
        bm.BlockSequence = seq(blk)
        bm.FinalCumulativeMetersetWeight = 1
        bm.NumberOfControlPoints = 2
        cps = []
        for c in (0, 1):
            cp = Dataset()
            cp.ControlPointIndex = c
            cp.CumulativeMetersetWeight = c
            if c == 0:
                cp.NominalBeamEnergy = 6
                cp.GantryAngle = 300 if b == 1 else 120
                cp.GantryRotationDirection = 'NONE'
                cp.IsocenterPosition = [0, 0, 0]
            cps.append(cp)
        bm.ControlPointSequence = Sequence(cps)
        beams.append(bm)
    ds.BeamSequence = Sequence(beams)
    ps = Dataset()
    ps.PatientSetupNumber = 1
    ps.PatientPosition = 'HFS'
    ps.PatientSetupLabel = 'Installation %s' % P.name.ascii_up
    ps.SetupTechniqueDescription = 'Plan incliné, cf. photo prise par %s' % manip.full
    sd = Dataset()
    sd.SetupDeviceType = 'FIXATION'
    sd.SetupDeviceLabel = 'Cale %s' % R.person('operator_name', 'Zéphyrin').ascii_up
    sd.SetupDeviceDescription = 'Moulage du %s' % R.date(2024, 1, 29).fr
    sd.SetupDeviceParameter = 0
    sd.SetupReferenceDescription = 'Tatouage'
    ps.SetupDeviceSequence = seq(sd)
    ds.PatientSetupSequence = seq(ps)
    ds.add_new(0x30110010, 'LO', 'ELEKTA_MOSAIQ_EXT')
    ds.add_new(0x30111001, 'UT', 'Mosaiq pat# %s / %s / NIR %s' % (P.ipp.digits[0], P.name.ascii_up, P.nir.value))
    P.nir.use()
    C.save(ds)

    # ---------------- RT structure set
    C.begin('rt/rtstruct_0002.dcm', 'RT Structure Set: ROI names/descriptions, generation algorithm/description, observation labels, interpreter')
    ds = new_ds(RT_STRUCT, ExplicitVRLittleEndian, 'ISO_IR 100', C.rng, sop_uid=ss_uid)
    common(ds, 'RTSTRUCT', 2)
    ds.StructureSetLabel = 'RTS_%s' % P.ipp.digits[0]
    ds.StructureSetName = 'Contours Mme %s' % P.name.ascii_up
    ds.StructureSetDescription = 'Délinéation %s, revue %s' % (interp.titled, R.date(2024, 2, 7).iso)
    ds.StructureSetDate = R.date(2024, 2, 7).da
    ds.StructureSetTime = '102030'
    rfr = Dataset()
    rfr.FrameOfReferenceUID = frame_uid
    rst = Dataset()
    rst.ReferencedSOPClassUID = '1.2.840.10008.3.1.2.3.1'
    rst.ReferencedSOPInstanceUID = study_uid
    rse = Dataset()
    rse.SeriesInstanceUID = C.uid()
    rci = Dataset()
    rci.ReferencedSOPClassUID = CT
    rci.ReferencedSOPInstanceUID = ct_ref_uid
    rse.ContourImageSequence = seq(rci)
    rst.RTReferencedSeriesSequence = seq(rse)
    rfr.RTReferencedStudySequence = seq(rst)
    ds.ReferencedFrameOfReferenceSequence = seq(rfr)
    rois, cont, obs = [], [], []
    roi_defs = [
        ('PTV_SEIN', 'PTV sein gauche', 'AUTOMATIC', 'Atlas %s v2' % I.name.use('Escaudrain')),
        ('CTV %s' % interp.ascii_up, 'CTV dessiné par %s' % interp.full, 'MANUAL', 'Relu par %s' % reviewer.titled),
        ('Coeur', 'Coeur - cf. écho du %s (Mme %s)' % (R.date(2023, 12, 11).fr, P.name.ascii_up), 'SEMIAUTOMATIC', 'seuil 200 UH'),
        ('Marqueur_%s' % R.person('other_person', 'Fulbert').ascii_up, 'bille radio-opaque', 'MANUAL', ''),
    ]
    for n, (name, desc, alg, gendesc) in enumerate(roi_defs, 1):
        r = Dataset()
        r.ROINumber = n
        r.ReferencedFrameOfReferenceUID = frame_uid
        r.ROIName = name
        r.ROIDescription = desc
        r.ROIGenerationAlgorithm = alg
        if gendesc:
            r.ROIGenerationDescription = gendesc
        rois.append(r)
        c = Dataset()
        c.ReferencedROINumber = n
        c.ROIDisplayColor = [255, 0, 0]
        ct_ = Dataset()
        ct_.ContourGeometricType = 'CLOSED_PLANAR'
        ct_.NumberOfContourPoints = 3
        ct_.ContourData = [0, 0, 0, 10, 0, 0, 10, 10, 0]
        c.ContourSequence = seq(ct_)
        cont.append(c)
        o = Dataset()
        o.ObservationNumber = n
        o.ReferencedROINumber = n
        o.ROIObservationLabel = [lambda: 'Cible %s' % P.name.ascii_up[:8], lambda: 'obs %s' % dosi.initials_login,
                                 lambda: 'OAR', lambda: 'repère'][n - 1]()
        o.ROIObservationDescription = [lambda: '', lambda: 'validé en staff du %s' % R.date(2024, 2, 8).long,
                                       lambda: 'contrainte Dmoy < 4 Gy (Dr %s)' % reviewer.family.upper(),
                                       lambda: ''][n - 1]()
        if not o.ROIObservationDescription:
            del o.ROIObservationDescription
        o.RTROIInterpretedType = ['PTV', 'CTV', 'ORGAN', 'MARKER'][n - 1]
        o.ROIInterpreter = interp.pn
        obs.append(o)
    reviewer.use()
    ds.StructureSetROISequence = Sequence(rois)
    ds.ROIContourSequence = Sequence(cont)
    ds.RTROIObservationsSequence = Sequence(obs)
    ds.ApprovalStatus = 'APPROVED'
    ds.ReviewerName = reviewer.pn
    C.save(ds)

    # ---------------- RT dose (implicit VR)
    C.begin('rt/rtdose_0003.dcm', 'RT Dose grid, implicit VR LE: dose comment, referenced plan, private Elekta-like block')
    ds = new_ds(RT_DOSE, ImplicitVRLittleEndian, 'ISO_IR 100', C.rng)
    common(ds, 'RTDOSE', 3)
    ds.DoseUnits = 'GY'
    ds.DoseType = 'PHYSICAL'
    ds.DoseSummationType = 'PLAN'
    ds.DoseComment = 'Dose calculée pour %s par %s' % (P.name.full_up, phys.full)
    ds.DoseGridScaling = 0.0001
    ds.ContentDate = plan_date.da
    ds.ContentTime = '171500'
    rp = Dataset()
    rp.ReferencedSOPClassUID = RT_PLAN
    rp.ReferencedSOPInstanceUID = plan_uid
    ds.ReferencedRTPlanSequence = seq(rp)
    ds.ImagePositionPatient = [-50, -50, -20]
    ds.ImageOrientationPatient = [1, 0, 0, 0, 1, 0]
    ds.PixelSpacing = [3, 3]
    ds.GridFrameOffsetVector = [0, 3, 6]
    ds.FrameIncrementPointer = 0x3004000C
    native_pixels(ds, 16, 16, 16, frames=3, seed=50)
    ds.BitsStored = 16
    ds.HighBit = 15
    add_private(ds, 0x3007, 0x10, 'IMPAC', [
        (0x01, 'LO', 'MOSAIQ ID %s' % P.ipp.digits[0]),
        (0x02, 'LT', 'Physicien : %s, poste %s' % (phys.full, R.phone('fr_dots', mobile=False).v)),
        (0x03, 'LT', 'Contact %s / %s' % (I.email.v, I.url.v)),
    ])
    C.save(ds)

    # ---------------- RT beams treatment record
    C.begin('rt/rtrecord_0004.dcm', 'RT Beams Treatment Record: operators, treatment machine, session comments')
    ds = new_ds(RT_RECORD, ExplicitVRLittleEndian, 'ISO_IR 100', C.rng)
    common(ds, 'RTRECORD', 4)
    ds.OperatorsName = [manip.pn, R.person('operator_name', 'Hyacinthe').pn, dosi.pn]
    tdate = R.date(2024, 2, 21)
    ds.TreatmentDate = tdate.da
    ds.TreatmentTime = '073512'
    ds.NumberOfFractionsPlanned = 25
    ds.PrimaryDosimeterUnit = 'MU'
    rp = Dataset()
    rp.ReferencedSOPClassUID = RT_PLAN
    rp.ReferencedSOPInstanceUID = plan_uid
    ds.ReferencedRTPlanSequence = seq(rp)
    tm = Dataset()
    tm.TreatmentMachineName = I.station.v
    tm.Manufacturer = 'Elekta'
    tm.InstitutionName = I.name.v
    tm.ManufacturerModelName = 'Versa HD'
    tm.DeviceSerialNumber = I.serial.v
    ds.TreatmentMachineSequence = seq(tm)
    tsb = Dataset()
    tsb.ReferencedBeamNumber = 1
    tsb.BeamName = 'TGT %s' % P.name.ascii_up[:8]
    tsb.BeamType = 'STATIC'
    tsb.RadiationType = 'PHOTON'
    tsb.TreatmentDeliveryType = 'TREATMENT'
    tsb.NumberOfWedges = 0
    tsb.NumberOfCompensators = 0
    tsb.NumberOfBoli = 0
    tsb.NumberOfBlocks = 0
    tsb.CurrentFractionNumber = 3
    tsb.TreatmentTerminationStatus = 'NORMAL'
    tsb.TreatmentVerificationStatus = 'VERIFIED'
    tsb.NumberOfControlPoints = 0
    tsb.TreatmentTerminationCode = 'OK'
    tsb.BeamDescription = 'Séance annulée le %s, patiente hospitalisée chez %s' % (
        R.date(2024, 2, 20).fr, R.person('physician_name', 'Sévère', 'Dr').titled)
    ds.TreatmentSessionBeamSequence = seq(tsb)
    ds.TreatmentSummaryCalculatedDoseReferenceSequence = Sequence([])
    C.save(ds)


# ---------------------------------------------------------------------------
# theme 6: grayscale softcopy presentation states (text objects, labels, layers)

def theme_gsps(C, W):
    R = C.R
    I = W['brv']
    P = W['PA']
    st = W['PA_study']
    for k, ts in enumerate([ExplicitVRLittleEndian, ImplicitVRLittleEndian]):
        C.begin('gsps/gsps_%04d.dcm' % (k + 1), 'GSPS (%s): content label/description/creator, graphic layers, text objects, graphic groups' %
                ('explicit VR LE' if k == 0 else 'implicit VR LE'))
        ds = new_ds(GSPS, ts, 'ISO_IR 100', C.rng)
        patient_module(ds, P, other_ids=False, full=False)
        general_study(ds, st['uid'], st['date'], '150000', st['acc'], st['ref'])
        ds.Modality = 'PR'
        ds.SeriesInstanceUID = C.uid()
        ds.SeriesNumber = 500 + k
        ds.InstanceNumber = 1
        ds.Manufacturer = 'Atelier-Test'
        ds.InstitutionName = I.name.v
        creator = R.person('physician_name', ['Philibert', 'Mathurin'][k], 'Dr')
        ds.ContentLabel = [lambda: 'ANNOT_%s' % P.name.ascii_up[:9].replace('-', '_'),
                           lambda: 'MESURE %s' % creator.ascii_up[:9]][k]()
        if k == 0:
            P.name.use()
        ds.ContentDescription = [lambda: 'Mesures de %s pour Mme %s' % (creator.titled, P.name.ascii_up),
                                 lambda: 'Relecture %s' % R.date(2023, 11, 20).long][k]()
        ds.ContentCreatorName = creator.pn
        ds.PresentationCreationDate = R.date(2023, 11, 18 + 2 * k).da
        ds.PresentationCreationTime = '101010'
        rser = Dataset()
        rser.SeriesInstanceUID = st['series']
        ri = Dataset()
        ri.ReferencedSOPClassUID = CT
        ri.ReferencedSOPInstanceUID = st['sops'][0]
        rser.ReferencedImageSequence = seq(ri)
        ds.ReferencedSeriesSequence = seq(rser)
        da = Dataset()
        da.PixelOriginInterpretation = 'VOLUME'
        da.DisplayedAreaTopLeftHandCorner = [1, 1]
        da.DisplayedAreaBottomRightHandCorner = [32, 32]
        da.PresentationSizeMode = 'SCALE TO FIT'
        da.PresentationPixelSpacing = [0.625, 0.625]
        ds.DisplayedAreaSelectionSequence = seq(da)
        ds.PresentationLUTShape = 'IDENTITY'
        gl = Dataset()
        gl.GraphicLayer = 'LAYER1'
        gl.GraphicLayerOrder = 1
        gl.GraphicLayerDescription = 'Calque de %s (%s)' % (R.person('other_person', ['Perrine', 'Anatole'][k], 'Mme').full, I.dept.v)
        ds.GraphicLayerSequence = seq(gl)
        ga = Dataset()
        ga.GraphicLayer = 'LAYER1'
        ga.ReferencedImageSequence = seq(ri)
        t1 = Dataset()
        t1.UnformattedTextValue = [lambda: 'Mme %s, IPP %s, nodule 8 mm' % (P.name.ascii_up, P.ipp.use(P.ipp.digits[0])),
                                   lambda: 'cf. %s, %s' % (st['ref'].titled, R.phone('fr_spaces').v)][k]()
        t1.BoundingBoxAnnotationUnits = 'PIXEL'
        t1.BoundingBoxTopLeftHandCorner = [2, 2]
        t1.BoundingBoxBottomRightHandCorner = [30, 10]
        t1.BoundingBoxTextHorizontalJustification = 'LEFT'
        t2 = Dataset()
        t2.UnformattedTextValue = [lambda: 'Né(e) le %s - %s' % (P.birth.fr, st['date'].fr),
                                   lambda: 'Vu avec %s le %s' % (R.person('physician_name', 'Ignace', 'Dr').titled,
                                                                 R.date(2023, 11, 21).abbr)][k]()
        t2.AnchorPointAnnotationUnits = 'PIXEL'
        t2.AnchorPoint = [16, 16]
        t2.AnchorPointVisibility = 'Y'
        ga.TextObjectSequence = Sequence([t1, t2])
        go = Dataset()
        go.GraphicAnnotationUnits = 'PIXEL'
        go.GraphicDimensions = 2
        go.NumberOfGraphicPoints = 2
        go.GraphicData = [4, 4, 20, 20]
        go.GraphicType = 'POLYLINE'
        go.GraphicFilled = 'N'
        go.GraphicGroupID = 1
        ga.GraphicObjectSequence = seq(go)
        ds.GraphicAnnotationSequence = seq(ga)
        gg = Dataset()
        gg.GraphicGroupID = 1
        gg.GraphicGroupLabel = 'Groupe %s' % creator.initials_login
        gg.GraphicGroupDescription = 'Mesures validées par %s' % R.person('physician_name', ['Octave', 'Firmin'][k], 'Dr').titled
        ds.GraphicGroupSequence = seq(gg)
        if k == 1:
            # unofficial: the text object also carries a private note
            ds.add_new(0x00290010, 'LO', 'BRVPACS_ANNOT')
            ds.add_new(0x00291001, 'LT', 'annotation exportée depuis %s' % I.url.v)
        C.save(ds)


# ---------------------------------------------------------------------------
# theme 7: segmentation (segment labels/descriptions, algorithm names)

def theme_seg(C, W):
    R = C.R
    I = W['brv']
    P = W['PC']
    st = W['PC_study']
    for k, ts in enumerate([ExplicitVRLittleEndian, DeflatedExplicitVRLittleEndian]):
        C.begin('seg/seg_%04d.dcm' % (k + 1), 'Segmentation (%s): segment labels/descriptions, algorithm name/source/parameters, content creator' %
                ('explicit VR LE' if k == 0 else 'deflated'))
        ds = new_ds(SEG, ts, 'ISO_IR 100', C.rng)
        patient_module(ds, P, other_ids=False, full=False)
        general_study(ds, st['uid'], st['date'], '111111', st['acc'], st['ref'])
        ds.Modality = 'SEG'
        ds.SeriesInstanceUID = C.uid()
        ds.SeriesNumber = 300 + k
        ds.InstanceNumber = 1
        ds.FrameOfReferenceUID = st['frame']
        ds.Manufacturer = 'Atelier-Test'
        ds.ManufacturerModelName = 'SegLab'
        ds.DeviceSerialNumber = 'SEGWS-%s' % R.digits(6)
        ser = R.text('device_serial', ds.DeviceSerialNumber, texts=[ds.DeviceSerialNumber])
        ser.use()
        ds.SoftwareVersions = '1.0'
        ds.ContentLabel = 'SEG_%s' % P.name.ascii_up[:10]
        ds.ContentDescription = 'Segmentation %s' % [lambda: 'de M. %s' % P.name.full_up,
                                                     lambda: 'relue le %s' % R.date(2022, 7, 1).fr][k]()
        creator = R.person('operator_name', ['Gontran', 'Bertille'][k])
        ds.ContentCreatorName = creator.pn
        ds.ContentDate = st['date'].da
        ds.ContentTime = '120000'
        ds.ImageType = ['DERIVED', 'PRIMARY']
        ds.SegmentationType = 'BINARY'
        ds.ContentQualification = 'RESEARCH'
        ds.LossyImageCompression = '00'
        rser = Dataset()
        rser.SeriesInstanceUID = C.uid()
        ri = Dataset()
        ri.ReferencedSOPClassUID = ENH_CT
        ri.ReferencedSOPInstanceUID = st['sops'][0]
        rser.ReferencedInstanceSequence = seq(ri)
        ds.ReferencedSeriesSequence = seq(rser)
        segs = []
        for n in (1, 2):
            sg = Dataset()
            sg.SegmentNumber = n
            if n == 1:
                sg.SegmentLabel = 'Tumeur %s' % P.name.ascii_up
                sg.SegmentDescription = 'Lésion vue par %s le %s' % (st['ref'].titled, R.date(2022, 6, 28).long)
            else:
                sg.SegmentLabel = 'Foie (%s)' % creator.initials_login
                sg.SegmentDescription = 'Référence atlas %s' % R.text('other_id', 'ATLAS-SARC-%s' % R.digits(7)).v
            sg.SegmentAlgorithmType = 'SEMIAUTOMATIC'
            sg.SegmentAlgorithmName = [lambda: 'Seuillage %s' % R.person('other_person', ['Evrard', 'Lucienne'][k]).ascii_up,
                                       lambda: 'nnU-Net %s' % I.name.use('BRV')][n - 1]()
            if n == 2:
                I.name.use()
            sg.SegmentedPropertyCategoryCodeSequence = seq(code('49755003', 'SCT', 'Morphologically Altered Structure'))
            sg.SegmentedPropertyTypeCodeSequence = seq(code('108369006', 'SCT', 'Tumor' if n == 1 else 'Liver'))
            sg.RecommendedDisplayCIELabValue = [30000, 40000, 40000]
            segs.append(sg)
        ds.SegmentSequence = Sequence(segs)
        # Algorithm Identification in the segment sequence item (alternative location)
        alg = Dataset()
        alg.AlgorithmFamilyCodeSequence = seq(code('123109', 'DCM', 'Manual Processing'))
        alg.AlgorithmName = 'Outil de %s' % R.person('other_person', ['Norbert', 'Prudence'][k]).full
        alg.AlgorithmVersion = '2.%d' % k
        alg.AlgorithmParameters = 'seuil=150;operateur=%s;ipp=%s' % (creator.initials_login, P.ipp.digits[0])
        alg.AlgorithmSource = I.name.v
        segs[0].SegmentationAlgorithmIdentificationSequence = seq(alg)
        sh = Dataset()
        pm = Dataset()
        pm.PixelSpacing = [0.7, 0.7]
        pm.SliceThickness = '1'
        sh.PixelMeasuresSequence = seq(pm)
        po = Dataset()
        po.ImageOrientationPatient = [1, 0, 0, 0, 1, 0]
        sh.PlaneOrientationSequence = seq(po)
        ds.SharedFunctionalGroupsSequence = seq(sh)
        pf = []
        for n in (1, 2):
            it = Dataset()
            si = Dataset()
            si.ReferencedSegmentNumber = n
            it.SegmentIdentificationSequence = seq(si)
            fc = Dataset()
            fc.DimensionIndexValues = [n]
            if n == 2:
                fc.FrameComments = 'frame tracée par %s' % creator.full
            it.FrameContentSequence = seq(fc)
            pp = Dataset()
            pp.ImagePositionPatient = [-100, -100, -50]
            it.PlanePositionSequence = seq(pp)
            der = Dataset()
            src = Dataset()
            src.ReferencedSOPClassUID = ENH_CT
            src.ReferencedSOPInstanceUID = st['sops'][0]
            src.ReferencedFrameNumber = 1
            src.PurposeOfReferenceCodeSequence = seq(code('121322', 'DCM', 'Source image for image processing operation'))
            der.SourceImageSequence = seq(src)
            der.DerivationCodeSequence = seq(code('113076', 'DCM', 'Segmentation'))
            it.DerivationImageSequence = seq(der)
            pf.append(it)
        ds.PerFrameFunctionalGroupsSequence = Sequence(pf)
        dim = Dataset()
        dim.DimensionOrganizationUID = C.uid()
        ds.DimensionOrganizationSequence = seq(dim)
        di = Dataset()
        di.DimensionOrganizationUID = dim.DimensionOrganizationUID
        di.DimensionIndexPointer = 0x0062000B
        di.FunctionalGroupPointer = 0x0062000A
        ds.DimensionIndexSequence = seq(di)
        ds.Rows = 16
        ds.Columns = 16
        ds.NumberOfFrames = 2
        ds.SamplesPerPixel = 1
        ds.PhotometricInterpretation = 'MONOCHROME2'
        ds.BitsAllocated = 1
        ds.BitsStored = 1
        ds.HighBit = 0
        ds.PixelRepresentation = 0
        bits = np.zeros((2, 16, 16), dtype='u1')
        bits[0, 4:10, 4:10] = 1
        bits[1, 2:6, 8:14] = 1
        ds.PixelData = np.packbits(bits.ravel(), bitorder='little').tobytes()
        ds['PixelData'].VR = 'OB'
        C.save(ds)


# ---------------------------------------------------------------------------
# theme 8: encapsulated JPEG / JPEG 2000 with identifiers in marker segments

def jpeg_dataset(ds, frames, rgb=True, w=64, h=48, ts=JPEGBaseline8Bit):
    ds.Rows = h
    ds.Columns = w
    ds.SamplesPerPixel = 3 if rgb else 1
    ds.PhotometricInterpretation = 'YBR_FULL_422' if rgb else 'MONOCHROME2'
    if rgb:
        ds.PlanarConfiguration = 0
    ds.BitsAllocated = 8
    ds.BitsStored = 8
    ds.HighBit = 7
    ds.PixelRepresentation = 0
    if len(frames) > 1 or 'NumberOfFrames' in ds:
        ds.NumberOfFrames = len(frames)
    ds.LossyImageCompression = '01' if ts == JPEGBaseline8Bit else '00'
    if ts == JPEGBaseline8Bit:
        ds.LossyImageCompressionRatio = '8'
        ds.LossyImageCompressionMethod = 'ISO_10918_1'
    ds.PixelData = encapsulate(frames, has_bot=True)
    ds['PixelData'].VR = 'OB'
    ds['PixelData'].is_undefined_length = True


def seg_person_ipp(R, first):
    """A (person, IPP) pair planted in one marker segment only."""
    p = R.person('patient_name', first, 'Mme')
    d = R.digits(10)
    i = R.number('ipp', d, value='IPP %s' % d)
    return p, i


def xmp_packet(creator, city, email, ipp):
    return ('<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>\n'
            '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
            '<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/" '
            'xmlns:photoshop="http://ns.adobe.com/photoshop/1.0/" '
            'xmlns:Iptc4xmpCore="http://iptc.org/std/Iptc4xmpCore/1.0/xmlns/">'
            '<dc:creator><rdf:Seq><rdf:li>%s</rdf:li></rdf:Seq></dc:creator>'
            '<photoshop:City>%s</photoshop:City>'
            '<dc:description><rdf:Alt><rdf:li xml:lang="x-default">Dossier %s</rdf:li></rdf:Alt></dc:description>'
            '<Iptc4xmpCore:CreatorContactInfo Iptc4xmpCore:CiEmailWork="%s"/>'
            '</rdf:Description></rdf:RDF></x:xmpmeta>\n<?xpacket end="w"?>') % (creator, city, ipp, email)


def theme_jpeg(C, W):
    R = C.R
    I = W['pct']
    P = Patient(R, 'Clémence', 'F', (1990, 10, 3), 'Mme', ipp='%s', ipp_digits='33' + R.digits(8),
                issuer='PHSARC', phone_fmt='fr_plain',
                addr='Hameau de Peyrefiche, 33981 Sarcignac-sur-Dronne', addr_key='peyrefiche')
    W['PF'] = P
    sono = R.person('operator_name', 'Adélaïde')
    gyn = R.person('physician_name', 'Hippolyte', 'Dr')
    sdate = R.date(2024, 4, 2)
    acc = R.number('accession', R.digits(10))
    study_uid = C.uid()

    def base(ds, modality, series_no, desc):
        patient_module(ds, P, other_ids=False)
        general_study(ds, study_uid, sdate, '093000', acc, gyn, desc=desc)
        equipment(ds, I, model='LOGIQ E10', manufacturer='GE Healthcare')
        ds.Modality = modality
        ds.SeriesInstanceUID = C.uid()
        ds.SeriesNumber = series_no
        ds.InstanceNumber = 1
        ds.OperatorsName = sono.pn
        ds.ContentDate = sdate.da
        ds.ContentTime = '093512'

    # --- US multi-frame, 2 JPEG frames, COM / APP1 Exif / APP12 / APP13 / XMP
    C.begin('us/us_multiframe_jpeg_0001.dcm',
            'US multi-frame, JPEG baseline (2 frames, YBR_FULL_422): COM, APP1 Exif, APP12, APP13 IPTC, APP1 XMP segments')
    ds = new_ds(US_MF, JPEGBaseline8Bit, 'ISO_IR 100', C.rng)
    base(ds, 'US', 1, 'Echo pelvienne')
    ds.ImageType = ['ORIGINAL', 'PRIMARY', 'ABDOMINAL']
    ds.FrameTime = '40'
    ds.FrameIncrementPointer = 0x00181063
    ds.BurnedInAnnotation = 'NO'
    p_com, i_com = seg_person_ipp(R, 'Ondine')
    p_exif, i_exif = seg_person_ipp(R, 'Albane')
    p_a12, i_a12 = seg_person_ipp(R, 'Oriane')
    p_a13, i_a13 = seg_person_ipp(R, 'Salomé')
    cam_serial = R.text('device_serial', 'PRB-C1-6-D-88417K', texts=['88417k'])
    f1 = make_jpeg(1, exif=exif_bytes(
        artist=p_exif.ascii_up + ' ' + p_exif.given.upper(),
        description='IPP %s - %s' % (i_exif.digits[0], I.name.use('Polyclinique de Sarcignac')),
        copyright_='(c) %s' % I.name.use('Sarcignac'),
        user_comment='Patiente %s ne le %s' % (P.name.ascii_up, P.birth.fr),
        serial=cam_serial.v, owner=sono.ascii_up),
        segments=[
            jpeg_segment(0xFE, ('Patient: %s^%s IPP:%s' % (p_com.ascii_up, p_com.given, i_com.digits[0])).encode('latin-1')),
            jpeg_segment(0xEC, b'Ducky\x00\x01\x00\x04\x00\x00\x00\x50\x00\x02\x00\x00\x00\x40' +
                         ('Nom %s, IPP %s' % (p_a12.full_up, i_a12.value)).encode('utf-16-be')),
            jpeg_segment(0xED, iptc_app13(p_a13.full_up.encode('latin-1'),
                                          ('IPP %s' % i_a13.digits[0]).encode('latin-1'))),
        ])
    p_exif.use(); i_exif.use(); i_com.use(); i_a12.use(); i_a13.use()
    p_x, i_x = seg_person_ipp(R, 'Victorine')
    xmp_city = R.text('address', 'Lieu-dit Combe-aux-Renardeaux', words=['combe aux renardeaux'])
    xmp_mail = R.text('email', 'victorine.famille-lisbourg@free.fr', texts=['famille lisbourg'])
    xmp = xmp_packet(p_x.full, xmp_city.v, xmp_mail.v, i_x.digits[0]).encode('utf-8')
    p_x.use(); i_x.use()
    f2 = make_jpeg(2, segments=[
        jpeg_segment(0xE1, b'http://ns.adobe.com/xap/1.0/\x00' + xmp),
        jpeg_segment(0xFE, ('Examen du %s, %s, %s' % (sdate.long, sono.full, I.url.v)).encode('latin-1')),
    ])
    jpeg_dataset(ds, [f1, f2])
    C.save(ds, compressed=True)

    # --- secondary capture, grayscale JPEG, COM + APP13 + data after EOI
    C.begin('sc/sc_jpeg_gray_0002.dcm',
            'Secondary Capture, grayscale JPEG baseline: COM, APP13 IPTC, bytes after EOI inside the fragment')
    ds = new_ds(SC, JPEGBaseline8Bit, 'ISO_IR 100', C.rng)
    base(ds, 'OT', 2, 'Capture écran')
    ds.ConversionType = 'WSD'
    p_c, i_c = seg_person_ipp(R, 'Bathilde')
    p_t, i_t = seg_person_ipp(R, 'Pélagie')
    p_i, i_i = seg_person_ipp(R, 'Roseline')
    f = make_jpeg(3, mode='L', segments=[
        jpeg_segment(0xFE, ('%s %s / %s' % (p_c.full_up, i_c.value, R.phone('fr_dots').v)).encode('latin-1')),
        jpeg_segment(0xED, iptc_app13(p_i.pn.encode('latin-1'), ('IPP %s' % i_i.digits[0]).encode('latin-1'),
                                      extra=[(0x5A, R.text('address', 'Rue du Four-à-Chaux-Vieux', words=['four a chaux vieux']).v.encode('latin-1'))])),
    ], trailer=('\x00CAPTURE %s IPP %s' % (p_t.pn, i_t.digits[0])).encode('latin-1'))
    p_c.use(); i_c.use(); p_i.use(); i_i.use(); i_t.use()
    jpeg_dataset(ds, [f], rgb=False)
    C.save(ds, compressed=True)

    # --- VL photographic image (dermatology), Exif with owner/user comment, XMP
    C.begin('vl/vl_photo_0003.dcm', 'VL Photographic image, JPEG baseline RGB: APP1 Exif (artist, owner, user comment), APP1 XMP, COM')
    ds = new_ds(VL_PHOTO, JPEGBaseline8Bit, 'ISO_IR 100', C.rng)
    base(ds, 'XC', 3, 'Photo dermato')
    ds.ImageType = ['ORIGINAL', 'PRIMARY']
    ds.AcquisitionDateTime = sdate.dt_('094000')
    derm = R.person('physician_name', 'Eudoxie', 'Dr')
    p_e, i_e = seg_person_ipp(R, 'Mélisande')
    home = R.text('address', '4 ruelle des Trois-Sabotiers, 33981 Sarcignac', words=['trois sabotiers'])
    f = make_jpeg(4, exif=exif_bytes(
        artist=derm.full, description='Naevus dos - %s %s' % (p_e.full_up, i_e.value),
        copyright_='Cabinet %s' % derm.ascii_up, user_comment='domicile: %s' % strip_accents(home.v),
        owner=derm.ascii_up), segments=[
        jpeg_segment(0xE1, b'http://ns.adobe.com/xap/1.0/\x00' + xmp_packet(
            derm.full, home.use('Sarcignac, Trois-Sabotiers'),
            'eudoxie.cabinet-derm@orange.fr', P.ipp.digits[0]).encode('utf-8')),
        jpeg_segment(0xFE, ('Photo prise par %s' % derm.titled).encode('latin-1'))])
    mail = R.text('email', 'eudoxie.cabinet-derm@orange.fr', texts=['cabinet derm orange fr'])
    mail.use(); p_e.use(); i_e.use(); P.ipp.use()
    jpeg_dataset(ds, [f])
    C.save(ds, compressed=True)

    # --- VL endoscopy, 2 frames, APP12/APP13 and trailer on frame 2
    C.begin('endo/vl_endoscopy_0004.dcm', 'VL Endoscopic image, 2 JPEG frames: APP12 text, APP13, COM, trailer after EOI on frame 2')
    ds = new_ds(VL_ENDO, JPEGBaseline8Bit, 'ISO_IR 100', C.rng)
    base(ds, 'ES', 4, 'Coloscopie')
    ds.ImageType = ['ORIGINAL', 'PRIMARY']
    endo = R.person('physician_name', 'Aristide', 'Dr')
    p1, i1 = seg_person_ipp(R, 'Ghislaine')
    p2, i2 = seg_person_ipp(R, 'Armelle')
    f1 = make_jpeg(5, segments=[
        jpeg_segment(0xEC, ('[picture info]\r\nPatient=%s\r\nID=%s\r\nOperator=%s\r\n' % (
            p1.pn, i1.digits[0], endo.ascii_up)).encode('latin-1')),
        jpeg_segment(0xFE, ('%s' % R.time(10, 41, 7, '339128').v).encode('latin-1'))])
    f2 = make_jpeg(6, segments=[
        jpeg_segment(0xED, iptc_app13(endo.pn.encode('latin-1'), ('Dossier %s %s' % (p2.pn, i2.digits[0])).encode('latin-1'))),
    ], trailer=('\r\nEXPORT %s' % R.text('url', 'ftp://exports-endoscopie.polyclin-sarcignac.local/2024', texts=['exports endoscopie polyclin sarcignac local']).v).encode('latin-1'))
    p1.use(); i1.use(); p2.use(); i2.use(); endo.use(); I.name.use()
    jpeg_dataset(ds, [f1, f2])
    C.save(ds, compressed=True)

    # --- JPEG 2000 lossless with a COM marker in the main header
    C.begin('sc/sc_j2k_0005.dcm', 'Secondary Capture, JPEG 2000 lossless codestream with a COM marker segment (name + IPP)')
    ds = new_ds(SC, JPEG2000Lossless, 'ISO_IR 100', C.rng)
    base(ds, 'OT', 5, 'Capture')
    ds.ConversionType = 'WSD'
    p3, i3 = seg_person_ipp(R, 'Lysandre')
    cs = make_j2k(7, ('Kakadu-like export: %s, IPP %s' % (p3.pn, i3.digits[0])).encode('latin-1'))
    p3.use(); i3.use()
    jpeg_dataset(ds, [cs], rgb=False, w=32, h=32, ts=JPEG2000Lossless)
    C.save(ds, compressed=True)


# ---------------------------------------------------------------------------
# theme 9: encapsulated documents (PDF, CDA)

def pdf_lit(s):
    return b'(' + pdf_escape(s.encode('latin-1')) + b')'


def pdf_utf16(s):
    return b'<FEFF' + s.encode('utf-16-be').hex().upper().encode() + b'>'


def encdoc_common(ds, C, P, study_uid, sdate, acc, ref, I, title, mime, doc, series_no):
    patient_module(ds, P, other_ids=False)
    general_study(ds, study_uid, sdate, '160000', acc, ref)
    ds.Modality = 'DOC'
    ds.SeriesInstanceUID = C.uid()
    ds.SeriesNumber = series_no
    ds.InstanceNumber = 1
    ds.Manufacturer = 'Atelier-Test'
    ds.InstitutionName = I.name.v
    ds.ConversionType = 'WSD'
    ds.ContentDate = sdate.da
    ds.ContentTime = '160500'
    ds.AcquisitionDateTime = sdate.dt_('160500')
    ds.BurnedInAnnotation = 'YES'
    ds.DocumentTitle = title
    ds.MIMETypeOfEncapsulatedDocument = mime
    ds.EncapsulatedDocument = even(doc)
    ds.EncapsulatedDocumentLength = len(doc)


def theme_docs(C, W):
    R = C.R
    I = W['gdl']
    P = Patient(R, 'Léopold', 'M', (1933, 1, 27), 'M.', ipp='%s', ipp_digits=R.digits(11),
                issuer='HPGLV', phone_fmt='fr_spaces',
                addr='Domaine de Bellecroix-Haute, 69731 Vernaison-le-Grand', addr_key='bellecroix haute')
    W['PG'] = P
    cardio = R.person('physician_name', 'Honorine', 'Dr')
    sec = R.person('other_person', 'Violaine', 'Mme')
    sdate = R.date(2023, 5, 16)
    acc = R.number('accession', R.digits(10))
    study_uid = C.uid()

    # --- PDF 1: Flate-compressed content stream, Info dictionary, TJ with kerning
    C.begin('doc/pdf_report_0001.dcm', 'Encapsulated PDF: FlateDecode content stream, /Info Author/Title/Subject/Keywords, TJ array splitting a name')
    ds = new_ds(PDF, ExplicitVRLittleEndian, 'ISO_IR 100', C.rng)
    tj_person = R.person('physician_name', 'Marcellin', 'Dr')
    lines = ['COMPTE RENDU DE CONSULTATION - %s' % I.name.v,
             'Patient : %s, né le %s, IPP %s' % (P.name.full_up, P.birth.fr, P.ipp.value),
             'Adresse : %s - tél. %s' % (P.address.v, P.phone.v),
             'Examen du %s ; NIR %s' % (sdate.long, P.nir.value),
             'Signé : %s, RPPS %s' % (cardio.titled, R.number('physician_id', '10' + R.digits(9)).v),
             'Résultats en ligne : %s - %s' % (I.url.v, I.email.v)]
    P.nir.use()
    fam = strip_accents(tj_person.family).upper()
    pdf = make_pdf({'Author': pdf_lit(cardio.full), 'Title': pdf_lit('CR %s %s' % (P.name.ascii_up, P.ipp.digits[0])),
                    'Subject': pdf_lit('Consultation du %s' % sdate.fr),
                    'Keywords': pdf_lit('cardiologie; %s; %s' % (sec.full, R.phone('fr_dots', mobile=False).v)),
                    'Creator': pdf_lit('DPI Vernaison 3.2'), 'Producer': pdf_lit('pdfgen'),
                    'CreationDate': pdf_lit("D:%s104512+01'00'" % sdate.da)},
                   lines, compress=True,
                   tj_split=['Copie : ', fam[:3], fam[3:6], fam[6:], ' ', tj_person.given])
    tj_person.use()
    encdoc_common(ds, C, P, study_uid, sdate, acc, cardio, I,
                  'CR consultation %s' % P.name.ascii_up, 'application/pdf', pdf, 10)
    ds.ConceptNameCodeSequence = seq(code('11488-4', 'LN', 'Consultation note'))
    C.save(ds)

    # --- PDF 2: uncompressed, hex string, UTF-16 Author, XMP metadata
    C.begin('doc/pdf_letter_0002.dcm', 'Encapsulated PDF: uncompressed stream, hex-string text, UTF-16BE /Author, XMP metadata stream')
    ds = new_ds(PDF, ExplicitVRLittleEndian, 'ISO_IR 192', C.rng)
    author2 = R.person('physician_name', 'Théophane', 'Dr')
    neighbour = R.person('relative_name', 'Aurore', 'Mme')
    xmp_person = R.person('other_person', 'Rodolphe', 'M.')
    hex_phone = R.phone('intl')
    xmp = ('<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?><x:xmpmeta xmlns:x="adobe:ns:meta/">'
           '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description rdf:about="" '
           'xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:creator><rdf:Seq><rdf:li>%s</rdf:li></rdf:Seq>'
           '</dc:creator><dc:title>Lettre %s</dc:title></rdf:Description></rdf:RDF></x:xmpmeta>'
           '<?xpacket end="w"?>') % (xmp_person.full, P.ipp.digits[0])
    pdf = make_pdf({'Author': pdf_utf16(author2.full), 'Title': pdf_utf16('Lettre à %s' % neighbour.full)},
                   ['Cher confrère,', 'Je vous adresse M. %s (%s).' % (P.name.full_up, P.birth.long),
                    'Personne de confiance : %s.' % neighbour.full],
                   compress=False, hex_line='Joindre la famille au %s' % hex_phone.v,
                   xmp=xmp.encode('utf-8'))
    encdoc_common(ds, C, P, study_uid, sdate, acc, cardio, I,
                  'Lettre de sortie – %s' % P.name.full, 'application/pdf', pdf, 11)
    ds.ConceptNameCodeSequence = seq(code('18842-5', 'LN', 'Discharge summary'))
    C.save(ds)

    # --- CDA document (HL7 v3 XML) with base64 observation media
    C.begin('doc/cda_0003.dcm', 'Encapsulated CDA (HL7 v3 XML): patientRole ids, addr, telecom, author, custodian, base64 nonXML body')
    ds = new_ds(CDA, ExplicitVRLittleEndian, 'ISO_IR 192', C.rng)
    ins = R.number('nir', '1' + R.digits(14), value=None)
    b64_person = R.person('relative_name', 'Cyprien', 'M.')
    b64_text = 'Note manuscrite : prévenir son neveu %s au %s' % (b64_person.full, R.phone('fr_spaces').v)
    import base64 as _b64
    cda = ('<?xml version="1.0" encoding="UTF-8"?>\n'
           '<ClinicalDocument xmlns="urn:hl7-org:v3">\n'
           ' <title>CR de coronarographie</title>\n'
           ' <effectiveTime value="%s103000+0100"/>\n'
           ' <recordTarget><patientRole>\n'
           '  <id root="1.2.250.1.213.1.4.8" extension="%s"/>\n'
           '  <id root="1.2.250.1.999.690554213.1" extension="%s"/>\n'
           '  <addr><streetAddressLine>%s</streetAddressLine></addr>\n'
           '  <telecom value="tel:%s"/>\n'
           '  <patient><name><given>%s</given><family>%s</family></name>'
           '<administrativeGenderCode code="M"/><birthTime value="%s"/></patient>\n'
           ' </patientRole></recordTarget>\n'
           ' <author><time value="%s"/><assignedAuthor><id extension="%s"/>'
           '<assignedPerson><name><prefix>Dr</prefix><given>%s</given><family>%s</family></name></assignedPerson>'
           '</assignedAuthor></author>\n'
           ' <custodian><assignedCustodian><representedCustodianOrganization><name>%s</name>'
           '</representedCustodianOrganization></assignedCustodian></custodian>\n'
           ' <component><nonXMLBody><text mediaType="text/plain" representation="B64">%s</text></nonXMLBody></component>\n'
           '</ClinicalDocument>\n') % (
        sdate.da, ins.v, P.ipp.digits[0], P.address.v, P.phone.use(P.phone.forms_all['intl']),
        P.name.given, P.name.use(P.name.family), P.birth.da, sdate.da, R.number('physician_id', '10' + R.digits(9)).v,
        cardio.given, cardio.use(cardio.family), I.name.v,
        _b64.b64encode(b64_text.encode('utf-8')).decode())
    b64_person.use()
    P.ipp.use()
    I.finess.use()
    encdoc_common(ds, C, P, study_uid, sdate, acc, cardio, I, 'CR coronarographie', 'text/XML', cda.encode('utf-8'), 12)
    ds.ConceptNameCodeSequence = seq(code('18745-0', 'LN', 'Cardiac catheterization study'))
    hsd = Dataset()
    hsd.ReferencedSOPClassUID = '1.2.840.10008.5.1.4.1.1.104.2'
    hsd.ReferencedSOPInstanceUID = C.uid()
    hsd.HL7InstanceIdentifier = '%s^1.2.250.1.999.690554213.7' % acc.digits[0]
    acc.use()
    ds.HL7StructuredDocumentReferenceSequence = seq(hsd)
    C.save(ds)


# ---------------------------------------------------------------------------
# theme 10: character sets (ISO 2022 IR 87, ISO 2022 IR 149, ISO_IR 192, ISO_IR 100)

def jis(s):
    """ISO 2022 IR 87 bytes: ASCII runs as is, other runs in JIS X 0208 with escapes."""
    return s.encode('iso2022_jp')


def jis_pn(alpha, ideo, phon):
    return (alpha.encode('ascii') + b'=' + b'^'.join(jis(x) for x in ideo.split('^')) + b'=' +
            b'^'.join(jis(x) for x in phon.split('^')))


def ksc(s):
    """ISO 2022 IR 149 bytes: each run of Hangul/Hanja preceded by ESC $ ) C."""
    out = b''
    for m in re.finditer(r'[\u1100-\u11ff\u3130-\u318f\uac00-\ud7af\u4e00-\u9fff]+|[^\u1100-\u11ff\u3130-\u318f\uac00-\ud7af\u4e00-\u9fff]+', s):
        t = m.group(0)
        if ord(t[0]) > 0x7f:
            out += b'\x1b$)C' + t.encode('euc_kr')
        else:
            out += t.encode('ascii')
    return out


def ksc_pn(alpha, ideo):
    return alpha.encode('ascii') + b'=' + b'^'.join(ksc(x) for x in ideo.split('^'))


def cjk_ident(R, category, romaji, ideo_family, ideo_full, phon=None, enc='jis'):
    texts = [ideo_full.replace('^', ' '), ideo_full.replace('^', '')]
    if phon:
        texts.append(phon.split('^')[0])
    if enc == 'jis':
        raw = [jis(ideo_family)[:-3]]       # ESC $ B + JIS bytes of the family name
    else:
        raw = [b'\x1b$)C' + ideo_family.encode('euc_kr')]
    i = Ident(R, category, '%s=%s' % (romaji, ideo_full), words=[check.norm(romaji.split('^')[0]).strip()],
              texts=[check.norm(t).strip() for t in texts], raw=raw)
    return i


def img_base(ds, C, series_no):
    """A plain CT image (these files carry their identifiers in the header)."""
    ds.Modality = 'CT'
    ds.SeriesInstanceUID = C.uid()
    ds.SeriesNumber = series_no
    ds.Manufacturer = 'Atelier-Test'
    ct_image_common(ds, C, 0)
    ds.FrameOfReferenceUID = C.uid()


def theme_charsets(C, W):
    R = C.R
    # ---------------- Japanese, ISO 2022 IR 87
    jp = cjk_ident(R, 'patient_name', 'TSUKIKAGE^SAYOKO', '月影', '月影^紗代子', 'つきかげ^さよこ')
    jref = cjk_ident(R, 'physician_name', 'SAGINOMIYA^TANOMO', '鷺ノ宮', '鷺ノ宮^頼母', 'さぎのみや^たのも')
    jnurse = cjk_ident(R, 'other_person', 'HIBARIGAOKA^CHIZURU', '雲雀丘', '雲雀丘^千鶴', 'ひばりがおか^ちづる')
    jinst = R.cjk('institution', '春霞台中央病院', [jis('春霞台')[:-3]])
    jaddr = R.cjk('address', '北海道虹別郡朧町字月見台12番地', [jis('朧町')[:-3]])
    jphone = R.number('phone', '155724419', value='0155-72-4419')
    jid = R.number('patient_id', R.digits(9), value=None)
    jid.value = 'HK-%s' % jid.digits[0]
    jdate = R.date(1938, 9, 11, category='birth_date')
    jstudy = R.date(2023, 8, 29)
    jacc = R.number('accession', R.digits(10))
    jstudy_uid = C.uid()
    for k in range(2):
        if k == 0:
            C.begin('charset/ja_iso2022_ir87_0001.dcm', 'CT image, ISO 2022 IR 87: PN with alphabetic/ideographic/phonetic groups, Japanese institution, address, descriptions')
            ds = new_ds(CT, ExplicitVRLittleEndian, ['', 'ISO 2022 IR 87'], C.rng)
        else:
            C.begin('charset/ja_iso2022_ir87_0002.dcm', 'Basic Text SR, ISO 2022 IR 87: Japanese TEXT and PNAME content items, observer names')
            ds = new_ds(BASIC_SR, ExplicitVRLittleEndian, ['', 'ISO 2022 IR 87'], C.rng)
        ds.PatientName = jis_pn(jp.use('TSUKIKAGE^SAYOKO'), jp.use('月影^紗代子'), 'つきかげ^さよこ')
        ds.PatientID = jid.v
        ds.PatientBirthDate = jdate.da
        ds.PatientSex = 'F'
        ds.PatientAddress = jis(jaddr.v)
        ds.PatientTelephoneNumbers = jphone.v
        ds.StudyInstanceUID = jstudy_uid
        ds.StudyDate = jstudy.da
        ds.StudyTime = '130000'
        ds.AccessionNumber = jacc.v
        ds.StudyID = '1'
        ds.ReferringPhysicianName = jis_pn(jref.use('SAGINOMIYA^TANOMO'), jref.use('鷺ノ宮^頼母'), 'さぎのみや^たのも')
        ds.InstitutionName = jis(jinst.v)
        if k == 0:
            img_base(ds, C, 1)
            ds.StudyDescription = jis('胸部CT 月影様 (%s)' % jref.use('鷺ノ宮先生'))
            jp.use('月影様')
            ds.ImageComments = jis('撮影者 雲雀丘千鶴、電話 %s' % jphone.v)
            jnurse.use('雲雀丘千鶴')
            native_pixels(ds, 16, 16, 16, seed=60)
        else:
            sr_header(ds, C, None, dict(uid=jstudy_uid, sops=[]), None)
            ds.ContentDate = jstudy.da
            ds.ContentTime = '140000'
            ds.ConceptNameCodeSequence = seq(code('11528-7', 'LN', 'Radiology Report'))
            ds.ValueType = 'CONTAINER'
            ds.ContinuityOfContent = 'SEPARATE'
            vo = Dataset()
            vo.VerifyingObserverName = jis_pn('SAGINOMIYA^TANOMO', '鷺ノ宮^頼母', 'さぎのみや^たのも')
            vo.VerifyingOrganization = jis(jinst.v)
            vo.VerificationDateTime = jstudy.dt_('150000')
            ds.VerifyingObserverSequence = seq(vo)
            t3 = ci('CONTAINS', 'TEXT', code('121071', 'DCM', 'Finding'),
                    jis('患者 %s 様、%s生まれ。紹介医 %s 先生。' % (jp.use('月影紗代子'), '1938年9月11日', jref.use('鷺ノ宮頼母'))))
            jdate.use('1938年9月11日')
            t4 = ci('HAS PROPERTIES', 'PNAME', code('121008', 'DCM', 'Person Observer Name'),
                    jis_pn(jnurse.use('HIBARIGAOKA^CHIZURU'), jnurse.use('雲雀丘^千鶴'), 'ひばりがおか^ちづる'))
            t3.ContentSequence = seq(t4)
            c2 = ci('CONTAINS', 'CONTAINER', code('121070', 'DCM', 'Findings'), children=[t3])
            ds.ContentSequence = seq(ci('CONTAINS', 'CONTAINER', code('BRV0070', '99BRV', 'Section'), children=[c2]))
        C.save(ds)

    # ---------------- Korean, ISO 2022 IR 149
    kp = cjk_ident(R, 'patient_name', 'NAMGUNG^BYEOLHA', '남궁', '남궁^별하', enc='ksc')
    kref = cjk_ident(R, 'physician_name', 'DOKGO^HANGYEOL', '독고', '독고^한결', enc='ksc')
    krel = cjk_ident(R, 'relative_name', 'SEONU^DAON', '선우', '선우^다온', enc='ksc')
    kinst = R.cjk('institution', '은하수대학교병원', [b'\x1b$)C' + '은하수'.encode('euc_kr')])
    kaddr = R.cjk('address', '경상북도 솔바람군 달무리읍 119', [b'\x1b$)C' + '솔바람군'.encode('euc_kr')])
    kphone = R.number('phone', '1048271193', value='010-4827-1193')
    kid = R.number('patient_id', R.digits(10))
    kdate = R.date(1944, 4, 28, category='birth_date')
    kstudy = R.date(2023, 7, 5)
    kacc = R.number('accession', R.digits(10), value=None)
    kacc.value = 'K' + kacc.digits[0]
    kuid = C.uid()
    for k in range(2):
        if k == 0:
            C.begin('charset/ko_iso2022_ir149_0001.dcm', 'CT image, ISO 2022 IR 149: Korean PN, institution, address, descriptions')
            ds = new_ds(CT, ExplicitVRLittleEndian, ['', 'ISO 2022 IR 149'], C.rng)
        else:
            C.begin('charset/ko_iso2022_ir149_0002.dcm', 'Comprehensive SR, ISO 2022 IR 149, implicit VR: Korean TEXT/PNAME items, relative name, phone')
            ds = new_ds(COMP_SR, ImplicitVRLittleEndian, ['', 'ISO 2022 IR 149'], C.rng)
        ds.PatientName = ksc_pn(kp.use('NAMGUNG^BYEOLHA'), kp.use('남궁^별하'))
        ds.PatientID = kid.v
        ds.PatientBirthDate = kdate.da
        ds.PatientSex = 'F'
        ds.PatientAddress = ksc(kaddr.v)
        ds.StudyInstanceUID = kuid
        ds.StudyDate = kstudy.da
        ds.StudyTime = '110000'
        ds.AccessionNumber = kacc.v
        ds.StudyID = '1'
        ds.ReferringPhysicianName = ksc_pn(kref.use('DOKGO^HANGYEOL'), kref.use('독고^한결'))
        ds.InstitutionName = ksc(kinst.v)
        if k == 0:
            img_base(ds, C, 1)
            ds.StudyDescription = ksc('흉부 CT %s 님' % kp.use('남궁별하'))
            ds.PatientComments = ksc('보호자 %s (%s)' % (krel.use('선우다온'), kphone.v))
            native_pixels(ds, 16, 16, 16, seed=61)
        else:
            sr_header(ds, C, None, dict(uid=kuid, sops=[]), None)
            ds.ContentDate = kstudy.da
            ds.ContentTime = '120000'
            ds.ConceptNameCodeSequence = seq(code('18748-4', 'LN', 'Diagnostic Imaging Report'))
            ds.ValueType = 'CONTAINER'
            ds.ContinuityOfContent = 'SEPARATE'
            t = ci('CONTAINS', 'TEXT', code('121071', 'DCM', 'Finding'),
                   ksc('환자 %s, 보호자 %s 연락처 %s' % (kp.use('남궁별하'), krel.use('선우다온'), kphone.v)))
            pn = ci('HAS OBS CONTEXT', 'PNAME', code('121008', 'DCM', 'Person Observer Name'),
                    ksc_pn(kref.use('DOKGO^HANGYEOL'), kref.use('독고^한결')))
            c3 = ci('CONTAINS', 'CONTAINER', code('121070', 'DCM', 'Findings'), children=[t])
            ds.ContentSequence = Sequence([pn, ci('CONTAINS', 'CONTAINER', code('BRV0071', '99BRV', 'Section'), children=[c3])])
        C.save(ds)

    # ---------------- UTF-8 multi-script (Greek, Cyrillic, ligatures, full-width, soft hyphen)
    C.begin('charset/utf8_multiscript_0001.dcm', 'CT image, ISO_IR 192: Greek patient, Cyrillic relative, Œ ligature, full-width Latin and soft-hyphenated names in descriptions')
    ds = new_ds(CT, ExplicitVRLittleEndian, 'ISO_IR 192', C.rng)
    gk = R.person('patient_name', 'Ευανθία', family='Ξανθοπετράκη')
    cy = R.person('relative_name', 'Есения', family='Загорулькина')
    oe = R.person('physician_name', 'Anne-Sixtine', 'Dr', family='Cœurdevey')
    fw_person = R.person('other_person', 'Baptistine', 'Mme')
    gid = R.number('patient_id', R.digits(10))
    gdate = R.date(1952, 2, 17, category='birth_date')
    ds.PatientName = gk.use('ΞΑΝΘΟΠΕΤΡΆΚΗ^Ευανθία')
    ds.PatientID = gid.v
    ds.PatientBirthDate = gdate.da
    ds.PatientSex = 'F'
    ds.OtherPatientNames = gk.use('XANTHOPETRAKI^Evanthia')
    gk.words.append('xanthopetraki')
    ds.StudyInstanceUID = C.uid()
    ds.StudyDate = R.date(2024, 5, 14).da
    ds.StudyTime = '100000'
    ds.AccessionNumber = R.number('accession', R.digits(10)).v
    ds.StudyID = '1'
    ds.ReferringPhysicianName = oe.use('CŒURDEVEY^Anne-Sixtine')
    img_base(ds, C, 1)
    ds.StudyDescription = 'Radio thorax – κα %s' % gk.use('Ξανθοπετράκη')
    ds.SeriesDescription = 'vue par ' + unicodedata.normalize('NFKC', '') + ''.join(
        chr(0xFF21 + ord(c) - ord('A')) if 'A' <= c <= 'Z' else c for c in fw_person.ascii_up)   # full-width Latin
    ds.PatientComments = 'Дочь: %s, тел. %s' % (cy.use('Загорулькина Есения'), R.phone('intl').v)
    ds.ImageComments = 'Vu avec Dr Cœur\u00addevey et %s' % oe.use('Coeurdevey')
    oe.use('Cœur\u00addevey')
    ds.AdditionalPatientHistory = 'née le %s' % gdate.en
    native_pixels(ds, 16, 16, 16, seed=62)
    C.save(ds)

    # ---------------- ISO_IR 100 case / accent / transliteration variants, mislabeled UTF-8 bytes
    C.begin('charset/latin1_variants_0001.dcm', 'CT image, ISO_IR 100: a name written in several case/accent/transliteration forms, soft hyphen, UTF-8 bytes in a Latin-1 data set')
    ds = new_ds(CT, ExplicitVRLittleEndian, 'ISO_IR 100', C.rng)
    dp = R.person('patient_name', 'Maïté', 'Mme', family='Dürrenbächer', extra_keys=('duerrenbaecher',))
    sis = R.person('relative_name', 'Bénédicte', 'Mme', family='Hauteclocque-Frémiot')
    lid = R.number('patient_id', R.digits(10))
    ds.PatientName = dp.pn
    ds.PatientID = lid.v
    ds.PatientBirthDate = R.date(1930, 6, 6, category='birth_date').da
    ds.PatientSex = 'F'
    ds.PatientAge = R.text('age_over_89', '093Y', words=['093y']).v
    ds.StudyInstanceUID = C.uid()
    ds.StudyDate = R.date(2023, 3, 3).da
    ds.StudyTime = '100000'
    ds.AccessionNumber = R.number('accession', R.digits(10)).v
    ds.StudyID = '1'
    ds.ReferringPhysicianName = ''
    img_base(ds, C, 1)
    ds.StudyDescription = 'Contrôle durrenbacher'
    dp.use('durrenbacher')
    ds.SeriesDescription = 'DUERRENBAECHER M.'
    dp.use('DUERRENBAECHER')
    ds.ImageComments = 'Mme Dürren\u00adbächer, 93 ans'
    dp.use('Dürren\u00adbächer')
    ds.DerivationDescription = 'Copie pour Maite DURRENBACHER'
    ds.AdditionalPatientHistory = ('Sœur : %s' % sis.full).encode('utf-8')   # UTF-8 bytes despite ISO_IR 100
    ds.PatientComments = 'Tuteur : Me %s' % R.person('other_person', 'Anselme').full
    native_pixels(ds, 16, 16, 16, seed=63)
    C.save(ds)


# ---------------------------------------------------------------------------
# theme 11: ECG waveforms (channel/multiplex labels, waveform annotations, acquisition context)

def theme_ecg(C, W):
    R = C.R
    I = W['gdl']
    P = Patient(R, 'Ferdinand', 'M', (1927, 11, 5), 'M.', ipp='%s', ipp_digits='69' + R.digits(8),
                issuer='HPGLV', phone_fmt='dash',
                addr='Maison de retraite Les Sorbiers-Dorés, 69731 Vernaison', addr_key='sorbiers dores')
    W['PJ'] = P
    P.age = R.text('age_over_89', '096Y', words=['096y'])
    cardio = R.person('physician_name', 'Anastase', 'Dr')
    study_uid = C.uid()
    sdate = R.date(2023, 10, 2)
    acc = R.number('accession', R.digits(10))
    for k, ts in enumerate([ExplicitVRLittleEndian, DeflatedExplicitVRLittleEndian]):
        C.begin('ecg/ecg12_%04d.dcm' % (k + 1), '12-lead ECG waveform (%s): multiplex group/channel labels, waveform annotation text, acquisition context TEXT items' %
                ('explicit VR LE' if k == 0 else 'deflated'))
        ds = new_ds(ECG12, ts, 'ISO_IR 100', C.rng)
        patient_module(ds, P, age=P.age, other_ids=False)
        general_study(ds, study_uid, sdate, '080000', acc, cardio, desc='ECG de repos')
        equipment(ds, I, model='MAC 5500 HD', manufacturer='GE Healthcare')
        ds.Modality = 'ECG'
        ds.SeriesInstanceUID = C.uid()
        ds.SeriesNumber = 1
        ds.InstanceNumber = k + 1
        ds.ContentDate = sdate.da
        ds.ContentTime = '081512'
        ds.AcquisitionDateTime = sdate.dt_('081500.%06d' % (104400 + k))
        nurse = R.person('operator_name', 'Séraphine' if k == 0 else 'Lucrèce')
        ds.OperatorsName = nurse.pn
        wf = Dataset()
        wf.MultiplexGroupTimeOffset = 0
        wf.WaveformOriginality = 'ORIGINAL'
        wf.NumberOfWaveformChannels = 2
        wf.NumberOfWaveformSamples = 64
        wf.SamplingFrequency = 500
        wf.MultiplexGroupLabel = 'ECG %s' % P.name.ascii_up[:10]
        chans = []
        for c, lead in enumerate(['I', 'II']):
            ch = Dataset()
            ch.ChannelSourceSequence = seq(code('5.6.3-9-%d' % (c + 1), 'SCPECG', 'Lead %s' % lead))
            ch.ChannelLabel = 'Lead %s' % lead if c == 0 else 'II %s' % nurse.initials_login[:8]
            ch.ChannelSensitivity = '2.5'
            ch.ChannelSensitivityUnitsSequence = seq(code('uV', 'UCUM', 'microvolt'))
            ch.ChannelSensitivityCorrectionFactor = '1'
            ch.ChannelBaseline = '0'
            ch.ChannelSampleSkew = '0'
            ch.WaveformBitsStored = 16
            chans.append(ch)
        wf.ChannelDefinitionSequence = Sequence(chans)
        wf.WaveformBitsAllocated = 16
        wf.WaveformSampleInterpretation = 'SS'
        rng = np.random.RandomState(70 + k)
        wf.WaveformData = (rng.randint(-300, 300, size=128)).astype('<i2').tobytes()
        ds.WaveformSequence = seq(wf)
        anns = []
        a1 = Dataset()
        if k == 0:
            a1.UnformattedTextValue = 'Tracé de %s réalisé par %s, chambre 214' % (P.name.full_up, nurse.full)
        else:
            a1.UnformattedTextValue = 'Comparer avec ECG du %s (Dr %s)' % (R.date(2021, 4, 13).fr, cardio.family.upper())
            cardio.use()
        a1.ReferencedWaveformChannels = [1, 1]
        a2 = Dataset()
        a2.ConceptNameCodeSequence = seq(code('BRVECG1', '99BRV', 'Interprété par %s' % R.person('physician_name', 'Clothilde' if k == 0 else 'Hilaire', 'Dr').titled))
        a2.ConceptCodeSequence = seq(code('10:4', 'MDC', 'Sinus rhythm'))
        a2.ReferencedWaveformChannels = [1, 0]
        anns = [a1, a2]
        ds.WaveformAnnotationSequence = Sequence(anns)
        ac = Dataset()
        ac.ValueType = 'TEXT'
        ac.ConceptNameCodeSequence = seq(code('121106', 'DCM', 'Comment'))
        ac.TextValue = 'Patient confus, fille (%s) présente, tél. %s' % (
            R.person('relative_name', 'Mahaut' if k == 0 else 'Isaure').full, R.phone('fr_spaces' if k == 0 else 'intl0').v)
        ds.AcquisitionContextSequence = seq(ac)
        ds.AcquisitionContextDescription = 'Enregistré au lit par %s' % nurse.full
        ds.add_new(0x00090010, 'LO', 'GEMS_ECG_MUSE_01')
        ds.add_new(0x00091001, 'LO', 'MUSE site 12 - %s' % I.station.v)
        ds.add_new(0x00091002, 'UT', '<patientdemographics><LastName>%s</LastName><PatientID>%s</PatientID>'
                                    '<Location>%s</Location></patientdemographics>' % (
                                        P.name.ascii_up, P.ipp.digits[0], I.dept.v))
        C.save(ds)


# ---------------------------------------------------------------------------
# theme 12: overlays, curves, LUTs, icon image; DX with patient/visit demographics

def theme_overlay(C, W):
    R = C.R
    I = W['mtv']
    P = Patient(R, 'Bertrand', 'M', (1945, 2, 12), 'M.', ipp='%s', ipp_digits=R.digits(10),
                issuer='CSYM', phone_fmt='fr_dots',
                addr='2 passage des Cordiers-Anciens, 21640 Flavigny-le-Petit', addr_key='cordiers anciens')
    W['PH'] = P
    ref = R.person('physician_name', 'Euphrasie', 'Dr')
    sdate = R.date(2023, 4, 25)
    acc = R.number('accession', R.digits(10))
    study_uid = C.uid()

    C.begin('ct/ct_overlay_curve_lut_0001.dcm', 'CT image: overlay planes (label/description/comments), retired curve group 5000 (label/description), modality and VOI LUT explanations, icon image with private note')
    ds = new_ds(CT, ExplicitVRLittleEndian, 'ISO_IR 100', C.rng)
    patient_module(ds, P, other_ids=False)
    general_study(ds, study_uid, sdate, '103000', acc, ref)
    img_base(ds, C, 1)
    native_pixels(ds, 32, 32, 16, seed=80)
    ds.add_new(0x60000010, 'US', 32)
    ds.add_new(0x60000011, 'US', 32)
    ds.add_new(0x60000040, 'CS', 'G')
    ds.add_new(0x60000050, 'SS', [1, 1])
    ds.add_new(0x60000100, 'US', 1)
    ds.add_new(0x60000102, 'US', 0)
    ds.add_new(0x60000022, 'LO', 'Flèche posée par %s' % R.person('physician_name', 'Lancelot', 'Dr').titled)
    ds.add_new(0x60001500, 'LO', 'OVL %s' % P.name.ascii_up)
    ds.add_new(0x60004000, 'LT', 'commentaire overlay : appeler %s' % R.phone('fr_spaces').v)
    ov = np.zeros((32, 32), dtype='u1')
    ov[5:8, 5:25] = 1
    ds.add_new(0x60003000, 'OW', np.packbits(ov.ravel(), bitorder='little').tobytes())
    ds.add_new(0x60020010, 'US', 32)
    ds.add_new(0x60020011, 'US', 32)
    ds.add_new(0x60020040, 'CS', 'R')
    ds.add_new(0x60020050, 'SS', [1, 1])
    ds.add_new(0x60020100, 'US', 1)
    ds.add_new(0x60020102, 'US', 0)
    ds.add_new(0x60021500, 'LO', 'ROI %s' % R.person('operator_name', 'Guenièvre').ascii_up)
    ds.add_new(0x60023000, 'OW', np.packbits(ov.T.ravel(), bitorder='little').tobytes())
    # retired curve module
    ds.add_new(0x50000005, 'US', 1)
    ds.add_new(0x50000010, 'US', 4)
    ds.add_new(0x50000020, 'CS', 'TAC')
    ds.add_new(0x50000022, 'LO', 'Courbe rehaussement - Mme %s' % R.person('other_person', 'Gertrude', 'Mme').ascii_up)
    ds.add_new(0x50000103, 'US', 0)
    ds.add_new(0x50002500, 'LO', 'TAC %s %s' % (P.name.ascii_up, sdate.fr))
    ds.add_new(0x50003000, 'OW', struct.pack('<4H', 1, 2, 3, 4))
    mlut = Dataset()
    mlut.LUTDescriptor = [4, 0, 16]
    mlut.LUTExplanation = 'Calibration %s %s' % (I.station.v, R.date(2023, 1, 31).fr)
    mlut.ModalityLUTType = 'US'
    mlut.LUTData = [0, 100, 200, 300]
    mlut['LUTData'].VR = 'US'
    mlut['LUTDescriptor'].VR = 'US'
    ds.ModalityLUTSequence = seq(mlut)
    vlut = Dataset()
    vlut.LUTDescriptor = [4, 0, 16]
    vlut['LUTDescriptor'].VR = 'US'
    vlut.LUTExplanation = 'Préférence %s' % ref.titled
    vlut.LUTData = [0, 1000, 2000, 4095]
    vlut['LUTData'].VR = 'US'
    ds.VOILUTSequence = seq(vlut)
    icon = Dataset()
    icon.SamplesPerPixel = 1
    icon.PhotometricInterpretation = 'MONOCHROME2'
    icon.Rows = 8
    icon.Columns = 8
    icon.BitsAllocated = 8
    icon.BitsStored = 8
    icon.HighBit = 7
    icon.PixelRepresentation = 0
    icon.PixelData = bytes(range(1, 129, 2))
    icon['PixelData'].VR = 'OB'
    icon.add_new(0x00290010, 'LO', 'MTV THUMBNAIL')
    icon.add_new(0x00291001, 'LO', 'vignette %s %s' % (P.name.ascii_up, P.ipp.digits[0]))
    ds.IconImageSequence = seq(icon)
    C.save(ds)

    C.begin('dx/dx_demographics_0002.dcm', 'DX image, implicit VR LE: patient/visit demographics attributes (alternative-calendar dates, insurance code meaning, residence, location), detector description, acquisition context')
    ds = new_ds(DX, ImplicitVRLittleEndian, 'ISO_IR 100', C.rng)
    patient_module(ds, P)
    general_study(ds, study_uid, sdate, '103000', acc, ref)
    ds.Modality = 'DX'
    ds.SeriesInstanceUID = C.uid()
    ds.SeriesNumber = 2
    ds.InstanceNumber = 1
    ds.ImageType = ['ORIGINAL', 'PRIMARY']
    ds.PresentationIntentType = 'FOR PRESENTATION'
    ds.Manufacturer = 'Atelier-Test'
    ds.PatientBirthTime = R.time(4, 17, 55, '250000').v
    ds.PatientBirthDateInAlternativeCalendar = P.birth.use('12 février 1945 (calendrier grégorien)')
    ds.PatientAlternativeCalendar = 'GREGORIAN'
    ds.PatientSize = '1.72'
    ds.PatientWeight = '68'
    ds.Occupation = 'Ancien maire de %s' % R.text('address', 'Saint-Oyen-les-Vergnes', words=['oyen les vergnes']).v
    ds.MilitaryRank = 'Adjudant-chef (ER)'
    ds.BranchOfService = 'Gendarmerie, brigade de %s' % R.text('address', 'Pont-Hubault-sur-Sarre', words=['hubault sur sarre']).v
    ds.MedicalAlerts = 'Allergie iode - voir Dr %s' % R.person('physician_name', 'Zacharie').family.upper()
    R.idents[-1].use()
    ds.PatientReligiousPreference = 'Témoin de Jéhovah (refus transfusion) - paroisse %s' % R.text('address', 'Sainte-Gudule-des-Prés', words=['gudule des pres']).v
    ds.ResponsiblePerson = R.person('relative_name', 'Ombeline', 'Mme').pn
    ds.ResponsiblePersonRole = 'DAUGHTER'
    ds.ResponsibleOrganization = 'UDAF Côte-d\'Or - tutelle n° %s' % R.number('other_id', R.digits(9)).v
    ins = Dataset()
    ins.CodeValue = 'MUT'
    ins.CodingSchemeDesignator = '99MTV'
    ins.CodeMeaning = 'Mutuelle %s adhérent %s' % (R.text('institution', 'Prévoyance des Vignerons du Haut-Auxois', words=['vignerons du haut auxois']).v,
                                                   R.number('other_id', R.digits(10)).v)
    ds.PatientInsurancePlanCodeSequence = seq(ins)
    ds.AdmissionID = R.number('other_id', R.digits(9), value=None).use()
    R.idents[-1].value = ds.AdmissionID
    ds.CurrentPatientLocation = 'Chambre 12 lit B, %s' % I.dept.v
    ds.PatientInstitutionResidence = 'EHPAD Les Rives du %s' % R.text('institution', 'Ru de Blancharderie', words=['blancharderie']).v
    ds.VisitComments = 'Visite de son fils %s le %s' % (R.person('relative_name', 'Gauthier', 'M.').full, R.date(2023, 4, 24).long)
    ds.AdmittingDiagnosesDescription = 'Chute au domicile (%s)' % P.address.v
    ds.SpecialNeeds = 'Malentendant, parler à %s' % R.person('relative_name', 'Radegonde', 'Mme').full
    ds.DetectorDescription = 'Capteur réétalonné par %s' % R.person('operator_name', 'Wandrille').full
    ds.DetectorID = 'DRX-%s' % R.digits(7)
    R.text('device_serial', ds.DetectorID).use()
    ds.PlateID = 'PLQ-%s' % R.digits(8)
    R.text('device_serial', ds.PlateID).use()
    ds.AcquisitionDeviceProcessingDescription = 'Traitement %s' % P.name.ascii_up
    ds.ExposureControlModeDescription = 'Manuel, %s' % R.person('operator_name', 'Norbertine').full
    ac = Dataset()
    ac.ValueType = 'TEXT'
    ac.ConceptNameCodeSequence = seq(code('121106', 'DCM', 'Comment'))
    ac.TextValue = 'Brancardier : %s' % R.person('other_person', 'Josselin', 'M.').full
    ds.AcquisitionContextSequence = seq(ac)
    ds.ViewCodeSequence = seq(code('R-10214', 'SRT', 'postero-anterior'))
    native_pixels(ds, 32, 32, 16, seed=81)
    C.save(ds)


# ---------------------------------------------------------------------------
# theme 13: private blocks and structural hiding places

def implicit_item(elements):
    """An implicit VR LE sequence item (defined length) from (tag, bytes)."""
    body = b''
    for tag, val in elements:
        val = even(val) if not val.endswith(b' ') else val
        if len(val) % 2:
            val += b' '
        body += struct.pack('<HHI', tag >> 16, tag & 0xffff, len(val)) + val
    return struct.pack('<HHI', 0xFFFE, 0xE000, len(body)) + body


def theme_private(C, W):
    R = C.R
    I = W['gdl']
    P = Patient(R, 'Eudes', 'M', (1939, 6, 18), 'M.', ipp='%s', ipp_digits='69' + R.digits(8),
                issuer='HPGLV', phone_fmt='0033',
                addr='Ferme des Quatre-Vents-Brisés, 69731 Vernaison', addr_key='quatre vents brises')
    W['PK'] = P
    ref = R.person('physician_name', 'Ermengarde', 'Dr')
    sdate = R.date(2022, 12, 6)
    acc = R.number('accession', R.digits(10))
    study_uid = C.uid()

    def base(ds, n):
        patient_module(ds, P, other_ids=False)
        general_study(ds, study_uid, sdate, '170000', acc, ref)
        equipment(ds, I, model='Aquilion ONE', manufacturer='Atelier-Test')
        img_base(ds, C, 70 + n)

    # ---------------- priv 1: invented creators, compressed / base64 / UTF-16 blobs, private SQ with public tags
    C.begin('private/private_blobs_0001.dcm', 'Private blocks (invented creators, creator naming the institution, MITRA UTF8): zlib/gzip/base64/UTF-16 blobs, UN text, private SQ holding public patient attributes and a nested private block')
    ds = new_ds(CT, ExplicitVRLittleEndian, 'ISO_IR 192', C.rng)
    base(ds, 1)
    recon = R.person('operator_name', 'Childéric')
    zperson = R.person('relative_name', 'Frédégonde', 'Mme')
    b64person = R.person('other_person', 'Wenceslas', 'M.')
    u16person = R.person('physician_name', 'Brunehilde', 'Dr')
    unperson = R.person('other_person', 'Sigismond', 'M.')
    gzperson = R.person('physician_name', 'Théodebert', 'Dr')
    sq_person = R.person('patient_name', 'Clotaire', 'M.')     # a second patient, e.g. a merged record
    sq_id = R.number('ipp', R.digits(10))
    nested_person = R.person('other_person', 'Dagobert', 'M.')
    json_blob = json.dumps({'patient': P.name.pn, 'ipp': P.ipp.digits[0], 'contact': zperson.full,
                            'dob': P.birth.iso}, ensure_ascii=False).encode('utf-8')
    b64_blob = base64_b(('{"operator":"%s","tel":"%s"}' % (b64person.full, R.phone('fr_dots').v)).encode('utf-8'))
    add_private(ds, 0x0011, 0x10, 'ACME RECON 3.1', [
        (0x01, 'LO', 'Recon by %s' % recon.full),
        (0x02, 'OB', even(zlib.compress(json_blob))),
        (0x03, 'OB', even(b64_blob)),
        (0x04, 'OB', even(('Médecin : %s' % u16person.full).encode('utf-16-le'))),
        (0x05, 'UN', even(('Transfert demandé par %s' % unperson.full).encode('latin-1'))),
        (0x07, 'OB', even(gzip_b(('<note><auteur>%s</auteur><nir>%s</nir></note>' % (gzperson.full, P.nir.value)).encode('utf-8')))),
        (0x08, 'FD', 3.14159),
    ])
    P.nir.use()
    item = Dataset()
    item.PatientName = sq_person.pn
    item.PatientID = sq_id.v
    item.OtherPatientNames = P.name.pn
    item.add_new(0x00130010, 'LO', 'ACME NESTED')
    item.add_new(0x00131001, 'LT', 'note de %s' % nested_person.full)
    inner = Dataset()
    inner.TextValue = 'Fusion des dossiers %s et %s le %s' % (sq_id.digits[0], P.ipp.digits[0], R.date(2022, 11, 30).fr)
    sq_id.use()
    item.ContentSequence = seq(inner)
    ds.add_new(0x00111006, 'SQ', seq(item))
    add_private(ds, 0x0011, 0x11, 'HPGLV VERNAISON EXPORT 2', [
        (0x01, 'LO', 'export du %s' % R.date(2022, 12, 9).long),
    ])
    I.name.use()
    add_private(ds, 0x0033, 0x10, 'MITRA OBJECT UTF8 ATTRIBUTES 1.0', [
        (0x02, 'OB', even(P.name.use('%s^%s' % (P.name.family.upper(), P.name.given)).encode('utf-8'))),
        (0x04, 'OB', even(ref.pn.encode('utf-8'))),
    ])
    # orphan private elements (no creator for block 0x12 in group 0009)
    ds.add_new(0x00091201, 'LO', 'orphelin %s' % R.person('other_person', 'Pépin', 'M.').full)
    ds.add_new(0x00091202, 'LO', 'tel %s' % R.phone('dash').v)
    native_pixels(ds, 16, 16, 16, seed=90)
    C.save(ds)

    # ---------------- priv 2: private SQ in UN (implicit inside explicit), vendor texts, HL7, CSA non-image
    C.begin('private/private_un_sequence_0002.dcm', 'Private SQ stored as UN with implicit-VR items holding public tags; GEMS HL7 text; SIEMENS CSA NON-IMAGE blobs; private block inside a public sequence item; UTF-16 OW')
    ds = new_ds(CT, ExplicitVRLittleEndian, 'ISO_IR 100', C.rng)
    base(ds, 2)
    un_pat = R.person('patient_name', 'Mérovée', 'M.')
    un_id = R.number('ipp', R.digits(10))
    un_doc = R.person('physician_name', 'Radegonde', 'Dr')
    items = implicit_item([
        (0x00100010, un_pat.pn.encode('latin-1')),
        (0x00100020, un_id.v.encode('latin-1')),
        (0x00080090, un_doc.pn.encode('latin-1')),
        (0x0040A160, ('Antécédents : voir dossier %s' % P.ipp.digits[0]).encode('latin-1')),
    ]) + implicit_item([
        (0x00080080, I.name.v.encode('latin-1')),
        (0x00100030, R.date(1961, 9, 9, category='birth_date').da.encode('latin-1')),
    ])
    ds.add_new(0x00150010, 'LO', 'ACME WORKLIST CACHE')
    ds.add_new(0x00151010, 'UN', items)
    orm = R.number('order_id', R.digits(12))
    hl7 = ('MSH|^~\\&|DPI|HPGLV|MODALITY|HPGLV|%s1200||ORM^O01|%s|P|2.3.1\r'
           'PID|||%s^^^HPGLV||%s^%s||%s|M|||%s\r'
           'ORC|NW|%s\r'
           'OBR|1|%s||ECHO^Echocardiographie|||||||||||||%s^%s\r') % (
        sdate.da, R.digits(6), P.ipp.digits[0], P.name.ascii_up, P.name.given, P.birth.da,
        P.address.v, orm.v, orm.v, ref.family.upper(), ref.given)
    ref.use()
    add_private(ds, 0x0009, 0x10, 'GEMS_GENIE_1', [(0x10, 'UT', hl7)])
    csa_doc = R.person('operator_name', 'Aldegonde')
    add_private(ds, 0x0029, 0x10, 'SIEMENS CSA NON-IMAGE', [
        (0x08, 'CS', 'SPEC NUM 4'),
        (0x10, 'OB', even(siemens_csa([('PatientName', 'PN', [P.name.ascii_up]),
                                        ('OperatorName', 'PN', [csa_doc.ascii_up])]))),
    ])
    add_private(ds, 0x7FE1, 0x10, 'SIEMENS CSA NON-IMAGE', [
        (0x10, 'OB', even(b'\x00' * 16 + ('#spectro %s %s' % (P.name.ascii_up, P.ipp.digits[0])).encode('latin-1') + b'\x00' * 16)),
    ])
    ri = Dataset()
    ri.ReferencedSOPClassUID = SC
    ri.ReferencedSOPInstanceUID = C.uid(embed=P.ipp.digits[0])
    ri.add_new(0x00190010, 'LO', 'ACME REFCACHE')
    ri.add_new(0x00191001, 'LO', 'miniature de %s' % R.person('other_person', 'Bertrade', 'Mme').full)
    ds.ReferencedImageSequence = seq(ri)
    ds.add_new(0x00170010, 'LO', 'ACME UNICODE NOTES')
    ds.add_new(0x00171001, 'OW', even(('Patient %s, né le %s' % (P.name.full_up, P.birth.fr)).encode('utf-16-le')))
    native_pixels(ds, 16, 16, 16, seed=91)
    C.save(ds)

    # ---------------- priv 3: structural places: preamble, file meta, original/encrypted attributes,
    # contributing equipment, digital signature certificate, trailing padding
    C.begin('private/structural_0003.dcm', 'Preamble text, file meta Source AE / Private Information, Original Attributes Sequence, Encrypted Attributes (plaintext), Contributing Equipment, Referenced Patient, patient group sequences, digital signature certificate, Data Set Trailing Padding')
    ds = new_ds(CT, ExplicitVRLittleEndian, 'ISO_IR 100', C.rng)
    pre_person = R.person('other_person', 'Ingonde', 'Mme')
    ds.preamble = ('II*\x00EXPORT %s %s' % (pre_person.ascii_up, P.ipp.digits[0])).encode('latin-1').ljust(128, b'\x00')
    ws_doc = R.person('physician_name', 'Hildegarde', 'Dr')
    ds.file_meta.SourceApplicationEntityTitle = ('WS_%s' % strip_accents(ws_doc.family).upper())[:16]
    ws_doc.use()
    ds.file_meta.PrivateInformationCreatorUID = '1.2.826.0.1.3680043.9.7781.99'
    fm_person = R.person('operator_name', 'Chrodegang')
    ds.file_meta.PrivateInformation = even(('gravé par %s pour %s' % (fm_person.full, P.name.full_up)).encode('latin-1'))
    base(ds, 3)
    old_name = R.person('patient_name', 'Eudes', 'M.')       # name before correction (maiden/misspelt)
    old_id = R.number('ipp', R.digits(10))
    mod = Dataset()
    mod.PatientName = old_name.pn
    mod.PatientID = old_id.v
    mod.PatientBirthDate = R.date(1939, 6, 8, category='birth_date').da
    oa = Dataset()
    oa.ModifiedAttributesSequence = seq(mod)
    oa.AttributeModificationDateTime = R.date(2022, 12, 7).dt_('093000')
    oa.ModifyingSystem = 'RIS %s' % I.station.v
    oa.SourceOfPreviousValues = 'Dossier papier de %s' % R.person('other_person', 'Gondebaud', 'M.').full
    oa.ReasonForTheAttributeModification = 'CORRECT'
    ds.OriginalAttributesSequence = seq(oa)
    enc = Dataset()
    enc.EncryptedContentTransferSyntaxUID = ExplicitVRLittleEndian
    enc_person = R.person('relative_name', 'Plectrude', 'Mme')
    enc.EncryptedContent = even(('(0010,0010) %s ; (0010,2297) %s' % (P.name.pn, enc_person.pn)).encode('latin-1'))
    ds.EncryptedAttributesSequence = seq(enc)
    ce = Dataset()
    ce.Manufacturer = 'Atelier-Test'
    ce.InstitutionName = I.name.v
    ce.StationName = 'IMPORT-%s' % R.digits(5)
    R.text('device_id', ce.StationName).use()
    ce.OperatorsName = R.person('operator_name', 'Carloman').pn
    ce.ContributionDescription = 'CD importé pour %s par %s' % (P.name.full_up, R.person('other_person', 'Bertrand-Rollon', 'M.').full)
    ce.ContributionDateTime = R.date(2022, 12, 8).dt_('101010')
    ce.PurposeOfReferenceCodeSequence = seq(code('109103', 'DCM', 'Modifying Equipment'))
    ds.ContributingEquipmentSequence = seq(ce)
    rp = Dataset()
    rp.ReferencedSOPClassUID = '1.2.840.10008.3.1.2.1.1'
    rp.ReferencedSOPInstanceUID = C.uid(embed=P.ipp.digits[0])
    ds.ReferencedPatientSequence = seq(rp)
    g1 = Dataset()
    g1.PatientID = R.number('patient_id', R.digits(10)).v
    g1.IssuerOfPatientID = 'GROUPE-%s' % I.name.use('VERNAISON')
    ds.SourcePatientGroupIdentificationSequence = seq(g1)
    g2 = Dataset()
    g2.PatientID = R.number('patient_id', R.digits(10)).v
    g2.SubjectRelativePositionInImage = 1
    ds.GroupOfPatientsIdentificationSequence = seq(g2)
    sig = Dataset()
    sig.MACIDNumber = 1
    sig.DigitalSignatureUID = C.uid()
    sig.DigitalSignatureDateTime = sdate.dt_('180000')
    sig.CertificateType = 'X509_1993_SIG'
    cert_doc = R.person('physician_name', 'Aldric', 'Dr')
    sig.CertificateOfSigner = even(b'0\x82\x01\x00' + ('CN=Dr %s, O=%s, emailAddress=%s' % (
        strip_accents(cert_doc.full), strip_accents(I.name.v), R.text('email', 'a.signataire-cardio@hpglv-vernaison.fr', texts=['signataire cardio']).v)).encode('latin-1'))
    cert_doc.use()
    sig.SignatureAlgorithm = 'RSA'
    sig.Signature = b'\x01' * 16
    ds.add_new(0xFFFAFFFA, 'SQ', seq(sig))
    native_pixels(ds, 16, 16, 16, seed=92)
    pad_person = R.person('other_person', 'Waltrude', 'Mme')
    ds.add_new(0xFFFCFFFC, 'OB', even(b'\x00' * 8 + ('reste %s %s' % (pad_person.full_up, P.phone.v)).encode('latin-1')))
    C.save(ds)


# ---------------------------------------------------------------------------
# theme 14: order / workflow attributes in an image; a DICOMDIR export

def theme_workflow(C, W):
    R = C.R
    I = W['brv']
    P = Patient(R, 'Philomène', 'F', (1932, 10, 30), 'Mme', ipp='%s', ipp_digits=R.digits(10),
                issuer='CHIBRV', phone_fmt='intl0',
                addr='12 cour des Tanneurs-Rouges, 77412 Brévanville', addr_key='tanneurs rouges')
    I.name.use()
    C.begin('ct/workflow/ct_workflow_0001.dcm', 'CT image carrying order/workflow attributes: physician identification sequences (address, phone, telecom), order callback, enterer, intended recipients, scheduled/performed station and location, retrieve URL, issuer qualifier sequences, UIDs built on the FINESS number')
    ds = new_ds(CT, ExplicitVRLittleEndian, 'ISO_IR 100', C.rng, sop_uid='1.2.250.1.%s.1.%d' % (I.finess.digits[0], C.rng.randint(10 ** 6, 10 ** 7)))
    I.finess.use()
    patient_module(ds, P)
    ref = R.person('physician_name', 'Isidore', 'Dr')
    sdate = R.date(2024, 6, 11)
    acc = R.number('accession', R.digits(10))
    general_study(ds, '1.2.250.1.%s.2.%d' % (I.finess.digits[0], C.rng.randint(10 ** 6, 10 ** 7)), sdate, '071512',
                  acc, ref, desc='TDM cérébral')
    equipment(ds, I, model='Revolution EVO')
    ds.Modality = 'CT'
    ds.SeriesInstanceUID = C.uid()
    ds.SeriesNumber = 2
    ct_image_common(ds, C, 0)
    iq = Dataset()
    iq.UniversalEntityID = '1.2.250.1.71.4.2.2.%s' % I.finess.digits[0]
    iq.UniversalEntityIDType = 'ISO'
    iq.IdentifierTypeCode = 'PI'
    af = Dataset()
    af.LocalNamespaceEntityID = 'CHI %s' % I.name.use('BREVANVILLE')
    iq.AssigningFacilitySequence = seq(af)
    ds.IssuerOfPatientIDQualifiersSequence = seq(iq)
    ia = Dataset()
    ia.LocalNamespaceEntityID = 'RIS %s' % I.ae.v
    ia.UniversalEntityID = '1.2.250.1.%s.9' % I.finess.digits[0]
    ia.UniversalEntityIDType = 'ISO'
    ds.IssuerOfAccessionNumberSequence = seq(ia)
    ppi = Dataset()
    perf = R.person('physician_name', 'Léocadie', 'Dr')
    ppi.PersonIdentificationCodeSequence = seq(code('10' + R.digits(9), 'RPPS', perf.full))
    R.number('physician_id', ppi.PersonIdentificationCodeSequence[0].CodeValue).use()
    ppi.PersonAddress = R.text('address', '3 rue du Docteur-Sansouci, 77412 Brévanville', words=['docteur sansouci']).v
    ppi.PersonTelephoneNumbers = R.phone('fr_dots').v
    ppi.PersonTelecomInformation = 'mailto:%s' % R.text('email', 'leocadie.imagerie-sansouci@wanadoo.fr', texts=['imagerie sansouci']).v
    ppi.InstitutionName = I.name.v
    ds.PerformingPhysicianName = perf.pn
    ds.PerformingPhysicianIdentificationSequence = seq(ppi)
    rpi = Dataset()
    rpi.PersonIdentificationCodeSequence = seq(code('ADELI-77' + R.digits(7), '99ADELI', ref.full))
    rpi.PersonAddress = R.text('address', 'Cabinet médical du Clos-Mirabeau-Vieux', words=['clos mirabeau vieux']).v
    ds.ReferringPhysicianIdentificationSequence = seq(rpi)
    ds.ConsultingPhysicianName = R.person('physician_name', 'Philémon', 'Dr').pn
    ds.PhysiciansOfRecord = [ref.pn, R.person('physician_name', 'Scholastique', 'Dr').pn]
    ds.NamesOfIntendedRecipientsOfResults = [R.person('physician_name', 'Athanase', 'Dr').pn]
    ds.RequestingService = 'Neurologie - %s' % R.text('department', 'Unité Neurovasculaire Aile Clairbois', words=['clairbois']).v
    ds.ReasonForTheRequestedProcedure = 'Chute chez Mme %s, 91 ans' % P.name.ascii_up
    ds.RequestedProcedureComments = 'Prévenir sa nièce %s' % R.person('relative_name', 'Bénigne', 'Mme').full
    ds.ImagingServiceRequestComments = 'Transport par ambulances %s, tél %s' % (
        R.text('institution', 'Ambulances du Petit-Morin-Fleuri', words=['petit morin fleuri']).v, R.phone('fr_spaces', mobile=False).v)
    ds.OrderEnteredBy = R.person('other_person', 'Gervaise', 'Mme').pn
    ds.OrderEntererLocation = 'Poste soins %s' % I.dept.v
    ds.OrderCallbackPhoneNumber = R.phone('fr_plain').v
    ds.OrderCallbackTelecomInformation = 'tel:%s' % R.phone('intl').v
    ds.PlacerOrderNumberImagingServiceRequest = R.number('order_id', R.digits(12)).v
    ds.PerformedStationName = 'SALLE-%s' % R.person('operator_name', 'Hortense').ascii_up
    ds.PerformedLocation = 'Urgences %s, box 4' % R.text('department', 'Pavillon Sainte-Aldegonde-Nord', words=['aldegonde nord']).v
    ds.PerformedProcedureStepID = 'PPS' + R.digits(6)
    ds.PerformedProcedureStepStartDate = sdate.da
    ds.PerformedProcedureStepStartTime = '071000'
    ds.StationAETitle = 'SCANURG2'
    ds.RetrieveURL = I.url.v + 'studies/' + acc.digits[0]
    ds.RetrieveAETitle = I.ae.v
    ds.AdmissionID = R.number('other_id', R.digits(10)).v
    ds.AdmittingDate = R.date(2024, 6, 10).da
    ds.AdmittingTime = '231500'
    ds.PatientState = 'Confuse, vit seule au %s' % P.address.v
    ds.StudyComments = 'Appeler %s au %s' % (ref.titled, P.phone.v)
    rs = Dataset()
    rs.ReferencedSOPClassUID = '1.2.840.10008.3.1.2.3.1'
    rs.ReferencedSOPInstanceUID = '1.2.250.1.%s.3.%d' % (I.finess.digits[0], C.rng.randint(10 ** 6, 10 ** 7))
    ds.ReferencedStudySequence = seq(rs)
    sps = Dataset()
    sps.ScheduledStationAETitle = 'SCANURG2'
    sps.ScheduledStationName = 'SCANNER URGENCES %s' % I.name.use('BREVANVILLE')
    sps.ScheduledProcedureStepLocation = 'Niveau -1, %s' % I.dept.v
    sps.ScheduledProcedureStepStartDate = sdate.da
    sps.ScheduledPerformingPhysicianName = perf.pn
    sps.ScheduledProcedureStepDescription = 'TDM sans injection Mme %s' % P.name.use(P.name.family)
    sps.ScheduledProtocolCodeSequence = seq(code('BRVP12', '99BRV', 'Protocole AVC de %s' % R.person('physician_name', 'Onésime', 'Dr').titled))
    ds.ScheduledProcedureStepSequence = seq(sps)
    native_pixels(ds, 32, 32, 16, seed=100)
    C.save(ds)


def theme_dicomdir(C, W):
    from pydicom.fileset import FileSet
    R = C.R
    I = W['pct']
    P = Patient(R, 'Ysaline', 'F', (1986, 1, 22), 'Mme', ipp='%s', ipp_digits='33' + R.digits(8),
                issuer='PHSARC', phone_fmt='fr_dots')
    sdate = R.date(2024, 7, 3)
    acc = R.number('accession', R.digits(10))
    ref = R.person('physician_name', 'Cassandre', 'Dr')
    study_uid = C.uid()
    series_uid = C.uid()
    desc = 'Echo %s' % P.name.ascii_up
    base = 'dicomdir_export'
    fs = FileSet()
    fs.UID = C.uid()
    fs.ID = ('P%s' % P.ipp.digits[0])[:16]
    dsets = []
    for k in range(2):
        rel = '%s/PT000000/ST000000/SE000000/IM%06d' % (base, k)
        C.begin(rel, 'Image of a media export with its DICOMDIR (file-set ID, patient/study records)')
        ds = new_ds(CT, ExplicitVRLittleEndian, 'ISO_IR 100', C.rng)
        patient_module(ds, P, other_ids=False, full=False)
        general_study(ds, study_uid, sdate, '111500', acc, ref, desc=desc)
        img_base(ds, C, 1)
        ds.SeriesInstanceUID = series_uid
        ds.InstanceNumber = k + 1
        ds.Manufacturer = 'Atelier-Test'
        ds.InstitutionName = I.name.v
        ds.ImageComments = 'Gravé pour %s' % R.person('relative_name', 'Aymeric' if k == 0 else 'Solange').full
        native_pixels(ds, 16, 16, 16, seed=110 + k)
        fs.add(ds)
        dsets.append((rel, ds, C.cur, set(i for i in R.idents if C.cur['name'] in i.intended)))
        C.R.current = None
        C.cur = None
    out = os.path.join(C.corpus, base)
    fs.write(out)
    # register the written files (pydicom lays them out itself)
    written = sorted(os.path.relpath(os.path.join(r, f), C.corpus) for r, _, fs_ in os.walk(out) for f in fs_)
    imgs = [w for w in written if not w.endswith('DICOMDIR')]
    for (rel, ds, cur, used), real in zip(dsets, imgs):
        if real != rel:
            for i in used:
                i.intended.discard(rel)
                i.intended.add(real)
            cur['name'] = real
        cur.update({'sop_class': SC, 'transfer_syntax': ExplicitVRLittleEndian, 'charset': 'ISO_IR 100'})
        C.files.append(cur)
    rel = base + '/DICOMDIR'
    C.begin(rel, 'DICOMDIR (Media Storage Directory): file-set ID holding the IPP, patient/study/series/image records')
    for i in (P.name, P.ipp, sdate, acc):
        i.use()
    C.R.current = None
    C.cur.update({'sop_class': MEDIA_DIR, 'transfer_syntax': ExplicitVRLittleEndian, 'charset': '', 'decode_pixels': False})
    C.files.append(C.cur)
    C.cur = None


# ---------------------------------------------------------------------------
# finishing: locate every identifier in the written files, write planted.json

def classify(path):
    return check.classify_location(path)


def encodings_for(charset):
    cs = charset or ''
    if '192' in cs:
        return ['utf-8']
    if 'IR 87' in cs:
        return ['iso2022_jp']
    if 'IR 149' in cs:
        return ['euc_kr']
    if '100' in cs:
        return ['latin-1']
    return ['ascii']


def finish(C, themes_run):
    R = C.R
    idents = R.idents
    # needle objects for the checker
    entries = []
    for i in idents:
        entries.append(to_entry(i))
    objs = [check.Ident(e) for e in entries]
    matcher = check.Matcher(objs)
    found = {e['id']: {} for e in entries}      # id -> file -> [paths]
    for f in C.files:
        p = os.path.join(C.corpus, f['name'])
        hits = check.scan_file(p, f['name'], matcher)
        for iid, wheres in hits.items():
            found[iid].setdefault(f['name'], []).extend(wheres)
    out_idents = []
    problems = []
    byid = {i.id: i for i in idents}
    for e in entries:
        i = byid[e['id']]
        files_found = found[e['id']]
        if not i.intended and not files_found:
            continue          # created but never written: not planted
        missing = sorted(i.intended - set(files_found))
        extra = sorted(set(files_found) - i.intended)
        if missing:
            problems.append('NOT FOUND where written: %s %r in %s' % (e['id'], i.value, missing))
        if extra:
            problems.append('found outside intended files: %s %r in %s' % (e['id'], i.value, extra))
        occ = []
        for fn in sorted(files_found):
            paths = [w for w in files_found[fn] if not w.startswith('raw bytes')] or files_found[fn]
            # keep the most specific locations (element level)
            for w in paths:
                occ.append({'file': fn, 'path': w, 'hiding': classify(w)})
        e['files'] = sorted(files_found)
        e['occurrences'] = occ
        # exact bytes in each file's encoding
        encs = set()
        for fn in e['files']:
            finfo = next(x for x in C.files if x['name'] == fn)
            encs.update(encodings_for(finfo.get('charset')))
        bx = {}
        for enc in sorted(encs):
            for form in i.forms:
                try:
                    b = form.encode(enc)
                except Exception:
                    continue
                bx.setdefault(enc, [])
                if b.hex() not in bx[enc]:
                    bx[enc].append(b.hex())
        e['variants']['exact_bytes_hex'] = bx
        out_idents.append(e)
    # renumber nothing: ids stay stable for a given seed
    planted = {
        'corpus': 'dicom-r1',
        'generator': 'gen.py',
        'seed': C.seed,
        'note': 'Invented identifiers. needles: text = normalised substring (NFKD, accents '
                'stripped, case folded, non-alphanumerics collapsed to one space); word = same, '
                'whole words; digits = digit string searched after removing separators; '
                'bytes_hex = raw bytes (legacy CJK encodings).',
        'files': C.files,
        'identifiers': out_idents,
        'counts': {'files': len(C.files), 'identifiers': len(out_idents)},
    }
    cats = {}
    for e in out_idents:
        cats[e['category']] = cats.get(e['category'], 0) + 1
    planted['counts']['by_category'] = cats
    with open(os.path.join(C.out, 'planted.json'), 'w', encoding='utf-8') as f:
        json.dump(planted, f, indent=1, ensure_ascii=False)
    return planted, problems


def to_entry(i):
    normalised = []
    for form in i.forms or [i.value]:
        for v in (check.norm(form).strip(), strip_accents(form).casefold(),
                  unicodedata.normalize('NFD', form), unicodedata.normalize('NFC', form)):
            if v and v not in normalised:
                normalised.append(v)
    return {
        'id': i.id,
        'category': i.category,
        'value': i.value,
        'needles': {'text': [' ' + t + ' ' if False else t for t in i.texts],
                    'word': i.words, 'digits': i.digits,
                    'bytes_hex': [b.hex() for b in i.raw]},
        'variants': {'written_forms': i.forms, 'normalised': normalised,
                     'digits_only': i.digits},
    }


def validate(C):
    bad = []
    for f in C.files:
        p = os.path.join(C.corpus, f['name'])
        r = subprocess.run(['dcmdump', '-q', '+E', p] if False else ['dcmdump', p],
                           capture_output=True, text=True, errors='replace')
        errs = [ln for ln in (r.stdout + r.stderr).splitlines() if ln.startswith('E:')]
        if r.returncode != 0 or errs:
            bad.append((f['name'], 'dcmdump rc=%d %s' % (r.returncode, errs[:3])))
        try:
            ds = pydicom.dcmread(p)
            for _ in ds.iterall():
                pass
            if 'PixelData' in ds and f.get('decode_pixels', True):
                try:
                    ds.pixel_array
                except Exception as ex:
                    if not f.get('compressed'):
                        bad.append((f['name'], 'pixel_array: %s' % ex))
        except Exception as ex:
            bad.append((f['name'], 'pydicom: %r' % ex))
    return bad


THEMES = []


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('outdir')
    ap.add_argument('--seed', type=int, default=20241204)
    ap.add_argument('--no-validate', action='store_true')
    ap.add_argument('--only', default=None, help='comma-separated theme names (debug)')
    a = ap.parse_args(argv)
    os.makedirs(a.outdir, exist_ok=True)
    C = Ctx(a.outdir, a.seed)
    C.seed = a.seed
    if os.path.exists(C.corpus) and os.listdir(C.corpus):
        print('gen.py: %s already holds a corpus; use an empty OUTDIR' % C.corpus, file=sys.stderr)
        return 2
    W = build_world(C)
    run = []
    for name, fn in THEMES:
        if a.only and name not in a.only.split(','):
            continue
        fn(C, W)
        run.append(name)
    planted, problems = finish(C, run)
    for p in problems:
        print('gen.py: WARNING', p, file=sys.stderr)
    if not a.no_validate:
        bad = validate(C)
        for b in bad:
            print('gen.py: INVALID %s: %s' % b, file=sys.stderr)
        if bad:
            return 1
    print('gen.py: %d files, %d planted identifiers in %s (seed %d)' % (
        len(C.files), len(planted['identifiers']), a.outdir, a.seed))
    return 1 if any(p.startswith('NOT FOUND') for p in problems) else 0


THEMES = [
    ('ct', theme_ct),
    ('mr', theme_mr),
    ('enhct', theme_enh_ct),
    ('sr', theme_sr),
    ('rt', theme_rt),
    ('gsps', theme_gsps),
    ('seg', theme_seg),
    ('jpeg', theme_jpeg),
    ('docs', theme_docs),
    ('charsets', theme_charsets),
    ('ecg', theme_ecg),
    ('overlay', theme_overlay),
    ('private', theme_private),
    ('workflow', theme_workflow),
    ('dicomdir', theme_dicomdir),
]

if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
