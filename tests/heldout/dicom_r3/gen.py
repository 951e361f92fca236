#!/usr/bin/python3
"""Held-out DICOM de-identification corpus, round 3 (dicom-r3).

    gen.py OUTDIR [--seed N] [--no-validate]
      -> OUTDIR/corpus/...   (DICOM files, some folder / file names carry identifiers)
      -> OUTDIR/planted.json (identifiers with needles and the files they were planted in;
                              clean "trap" values that a de-identifier must keep)

Everything is invented (French patients, staff, hospitals, towns, numbers).
Deterministic: same seed, same bytes.
"""
import datetime
import io
import json
import os
import random
import struct
import subprocess
import sys
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True
sys.path.insert(0, HERE)
import warnings
warnings.filterwarnings('ignore')

import numpy as np
import pydicom
import pydicom.config
pydicom.config.replace_un_with_known_vr = False
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.dataelem import DataElement
from pydicom.sequence import Sequence
from check import norm  # the checker's own normalisation: needles match by construction

# --------------------------------------------------------------------------
# registry of planted identifiers


class Id:
    def __init__(self, reg, cat, value, word=(), digits=(), text=(), joined=(), bh=(), deps=()):
        self.reg = reg
        self.cat = cat
        self.value = value
        self.needles = {}
        for k, v in (('word', word), ('digits', digits), ('text', text), ('joined', joined),
                     ('bytes_hex', bh)):
            v = [x for x in v if x]
            if v:
                self.needles[k] = list(dict.fromkeys(v))
        self.deps = list(deps)
        self.id = '%s-%03d' % (cat, len([1 for i in reg.ids if i.cat == cat]) + 1)
        reg.ids.append(self)

    @property
    def v(self):
        self.reg.mark(self)
        return self.value

    def __str__(self):
        return self.v


class Reg:
    def __init__(self):
        self.ids = []
        self.cur = set()
        self.uses = {}
        self.files = []
        self.traps = []
        self.notes = {}

    def mark(self, i):
        self.cur.add(i)
        for d in i.deps:
            self.mark(d)

    def begin(self):
        self.cur = set()

    def done(self, rel):
        for i in self.cur:
            self.uses.setdefault(i.id, set()).add(rel)
        self.files.append(rel)
        self.cur = set()


REG = Reg()
R = random.Random(0)


def wordn(s):
    return norm(s).strip()


def digits_of(s):
    return ''.join(c for c in s if c.isdigit())


# --------------------------------------------------------------------------
# invented names

PRE = ['Ker', 'Pen', 'Tré', 'Plou', 'Lan', 'Mor', 'Gwen', 'Quél', 'Kéro', 'Bal', 'Cor', 'Dou',
       'Gué', 'Lé', 'Mé', 'Ro', 'Sé', 'Ty', 'Vé', 'Hu', 'Bri', 'Gour', 'Pra', 'Fou', 'Jé', 'Ni']
MID = ['ba', 'ri', 'lé', 'na', 'zo', 'gu', 'va', 'mé', 'do', 'ni', 'qué', 'rho', 'lig', 'vou', 'té']
SUF = ['rec', 'zic', 'vel', 'dour', 'nec', 'ouët', 'ach', 'lan', 'guen', 'hir', 'bras', 'dec',
       'ruz', 'moal', 'quer', 'gall', 'nou', 'bihan', 'vern', 'cuff', 'drézen', 'goat']
GIVEN_F = ['Yvonne', 'Maëlys', 'Gwénaëlle', 'Anne-Sophie', 'Soizic', 'Inès', 'Maïwenn', 'Élodie',
           'Françoise', 'Josiane', 'Clémence', 'Noémie', 'Bénédicte', 'Ségolène', 'Perrine',
           'Léa', 'Chloé', 'Zoé', 'Agathe', 'Hélène', 'Nolwenn', 'Rozenn', 'Solène', 'Armelle']
GIVEN_M = ['Hervé', 'Loïc', 'Jean-Noël', 'Théo', 'Corentin', 'Brieuc', 'Rémi', 'Gaëtan',
           'Aurélien', 'Yannick', 'Erwan', 'Goulven', 'Tanguy', 'Maël', 'Ronan', 'Benoît',
           'Jérôme', 'François', 'Anatole', 'Gurvan', 'Killian', 'Mathéo']
TOWN_PRE = ['Plou', 'Lan', 'Tré', 'Ker', 'Loc', 'Guer', 'Pleu', 'Lou', 'Sainte-Anne-de-',
            'Saint-Jean-de-', 'Mon', 'Bourg-', 'Pont-']
TOWN_SUF = ['zévédec', 'névennou', 'gastel', 'querrec', 'dalmézeau', 'morvan', 'ouarn',
            'bervet', 'néour', 'divisiau', 'gonvelin', 'bréhant', 'hernic', 'daoulas',
            'rivoal', 'cadeuc', 'quéven', 'elliant', 'tréhou', 'bodilis', 'ergué']
STREETS = ['rue', 'allée', 'impasse', 'chemin', 'boulevard', 'venelle', 'place']

_used_words = set()


_used_tokens = set()


def fresh(gen, tries=5000, maxlen=11):
    for _ in range(tries):
        s = gen()
        w = wordn(s)
        toks = [t for t in w.split() if len(t) >= 4]
        if (w and w not in _used_words and len(w.replace(' ', '')) >= 6 and len(w) <= maxlen
                and not any(t in _used_tokens for t in toks)):
            _used_words.add(w)
            _used_tokens.update(toks)
            return s
    raise RuntimeError('name space exhausted')


def surname():
    def g():
        s = R.choice(PRE) + R.choice(MID) + R.choice(SUF)
        s = s[0] + s[1:].lower()
        if R.random() < 0.15:
            s = R.choice(['Le ', 'Le ', 'Du ', 'De La ']) + s
        if R.random() < 0.08:
            s = s + '-' + (R.choice(PRE) + R.choice(SUF)).capitalize()
        return s
    return fresh(g)


def town():
    return fresh(maxlen=30, gen=lambda: (lambda p: p + (R.choice(TOWN_SUF) if p.endswith('-') is False else
                                         R.choice(TOWN_SUF).capitalize()))(R.choice(TOWN_PRE)))


_used_digits = set()


def fresh_digits(n, prefix=''):
    while True:
        s = prefix + ''.join(R.choice('0123456789') for _ in range(n - len(prefix)))
        if s not in _used_digits and s[0] != '0' or prefix.startswith('0'):
            if s not in _used_digits:
                _used_digits.add(s)
                return s


_used_dates = set()


def fresh_date(y0, y1):
    while True:
        d = datetime.date(y0, 1, 1) + datetime.timedelta(days=R.randrange((y1 - y0 + 1) * 365))
        a = d.strftime('%Y%m%d')
        b = d.strftime('%d%m%Y')
        if a not in _used_dates and b not in _used_dates and a[4:] != b[:4]:
            _used_dates.add(a)
            _used_dates.add(b)
            return d


class Person:
    def __init__(self, cat, female=None, title=None):
        self.female = R.random() < 0.5 if female is None else female
        self.sur = surname()
        self.given = R.choice(GIVEN_F if self.female else GIVEN_M)
        self.middle = R.choice(GIVEN_F if self.female else GIVEN_M)
        self.title = title
        self.id = Id(REG, cat, '%s^%s' % (self.sur, self.given), word=[wordn(self.sur)])

    def pn(self):
        return '%s^%s' % (self.id.v.split('^')[0], self.given)

    def pn5(self):
        self.id.v
        pre = self.title or ('Mme' if self.female else 'M.')
        return '%s^%s^%s^%s^%s' % (self.sur, self.given, self.middle, pre, R.choice(['', 'MD', 'PhD', 'Jr']))

    def full(self):
        self.id.v
        return '%s%s %s' % ((self.title + ' ') if self.title else '', self.given, self.sur.upper())

    def upper_cs(self):
        """CS-safe spelling: upper case, underscores (a label typed by a user)."""
        self.id.v
        s = norm(self.sur).strip().upper().replace(' ', '_')
        return s


class DateId:
    def __init__(self, cat, y0, y1):
        self.d = fresh_date(y0, y1)
        a = self.d.strftime('%Y%m%d')
        self.id = Id(REG, cat, a, digits=[a, self.d.strftime('%d%m%Y')])

    @property
    def da(self):
        return self.id.v

    def fr(self):
        self.id.v
        return self.d.strftime('%d/%m/%Y')

    def iso(self):
        self.id.v
        return self.d.strftime('%Y-%m-%d')

    def dt(self, tz='+0100'):
        self.id.v
        return self.d.strftime('%Y%m%d') + '%02d%02d%02d.%06d%s' % (
            R.randrange(7, 20), R.randrange(60), R.randrange(60), R.randrange(10 ** 6), tz)


class Hospital:
    def __init__(self):
        self.town = town()
        kind = R.choice(['Centre hospitalier de ', 'Clinique Saint-Yves de ', 'CHU de ',
                         'Polyclinique du Littoral, ', 'Cabinet de radiologie de '])
        self.name = Id(REG, 'institution', kind + self.town, word=[wordn(self.town)])
        fin = fresh_digits(9, '29')
        self.finess = Id(REG, 'finess', fin, digits=[fin])
        self.street = surname()
        self.addr = Id(REG, 'address', '%d %s %s, %s %s' % (
            R.randrange(1, 120), R.choice(STREETS), self.street, '29' + fresh_digits(3), self.town.upper()),
            word=[wordn(self.street)], deps=[self.name])
        ph = '02' + fresh_digits(8, '9')
        self.phone = Id(REG, 'phone', '%s %s %s %s %s' % (ph[0:2], ph[2:4], ph[4:6], ph[6:8], ph[8:10]),
                        digits=[ph[1:]])
        ae = (norm(self.town).replace(' ', '')[:4] + ''.join(R.choice('QXZWKJ') for _ in range(4))).upper()
        _used_words.add(ae.lower())
        self.ae = Id(REG, 'ae-title', ae, word=[ae.lower()])
        self.dept = Id(REG, 'department', 'Pavillon ' + surname(), word=[])
        self.dept.needles['word'] = [wordn(self.dept.value.split(' ', 1)[1])]

    def email(self, person):
        dom = norm(self.town).strip().replace(' ', '-')
        e = '%s.%s@ch-%s.fr' % (norm(person.given).strip().replace(' ', '-'),
                                norm(person.sur).strip().replace(' ', '-'), dom)
        return Id(REG, 'email', e, text=[wordn(e)], deps=[person.id, self.name])


class Patient:
    def __init__(self):
        self.p = Person('patient-name')
        self.sex = 'F' if self.p.female else 'M'
        self.birth = DateId('date-birth', 1928, 2016)
        ipp = fresh_digits(R.choice([8, 9, 10]), R.choice(['1', '4', '7']))
        self.ipp = Id(REG, 'patient-id', ipp, digits=[ipp])
        b = self.birth.d
        nir = '%d%02d%02d29%03d%03d' % (2 if self.p.female else 1, b.year % 100, b.month,
                                        R.randrange(1, 999), R.randrange(1, 999))
        key = 97 - int(nir) % 97
        nir = nir + '%02d' % key
        _used_digits.add(nir)
        self.nir = Id(REG, 'nir', nir, digits=[nir])
        self.town = town()
        self.street = surname()
        self.addr = Id(REG, 'address', '%d %s %s, 29%s %s' % (
            R.randrange(1, 200), R.choice(STREETS), self.street, fresh_digits(3), self.town),
            word=[wordn(self.street), wordn(self.town)])
        ph = '06' + fresh_digits(8, '7')
        self.phone = Id(REG, 'phone', '%s.%s.%s.%s.%s' % (ph[0:2], ph[2:4], ph[4:6], ph[6:8], ph[8:10]),
                        digits=[ph[1:]])
        self.mother = Person('relative', female=True)


class Exam:
    def __init__(self, hosp):
        self.date = DateId('date-exam', 2022, 2025)
        acc = fresh_digits(R.choice([9, 10, 11]), R.choice(['2', '5', '8']))
        pre = R.choice(['', 'RX', 'A', 'IRM'])
        self.acc = Id(REG, 'accession', pre + acc, digits=[acc])
        self.ref = Person('staff-name', title='Dr')
        self.op = Person('staff-name')
        self.hosp = hosp


HOSP = []
PATS = []
STAFF = []


def staff(title=None):
    return Person('staff-name', title=title)


def serial(cat='device-serial'):
    d = fresh_digits(R.choice([8, 9]))
    v = R.choice(['SN', 'S/N ', 'KX', 'FR-']) + d[:4] + R.choice(['', '-', ' ']) + d[4:]
    return Id(REG, cat, v, digits=[d])


def order():
    d = fresh_digits(9, '3')
    return Id(REG, 'order-number', 'CMD-' + d, digits=[d])


def rpps():
    d = fresh_digits(11, '10')
    return Id(REG, 'rpps', d, digits=[d])


# --------------------------------------------------------------------------
# UIDs

_uidn = [0]


def uid():
    _uidn[0] += 1
    return '1.2.826.0.1.3680043.10.543.%d.%d' % (_uidn[0], R.randrange(10 ** 5, 10 ** 6))


# --------------------------------------------------------------------------
# traps (clean values that must be kept)

TRAPI = [0]


def trap(ds, kw, val):
    from pydicom.datadict import dictionary_VR, tag_for_keyword
    vr = dictionary_VR(tag_for_keyword(kw))
    if vr in ('FL', 'FD', 'US', 'SS', 'UL', 'SL'):
        cv = (lambda x: float(x)) if vr in ('FL', 'FD') else (lambda x: int(x))
        setattr(ds, kw, cv(val) if isinstance(val, str) else [cv(x) for x in val])
        return
    setattr(ds, kw, val)
    REG._traps_cur.append((kw, val if isinstance(val, str) else '\\'.join(val)))


def geometry_traps(ds, kind='CT'):
    TRAPI[0] += 1
    k = TRAPI[0]
    trap(ds, 'SliceThickness', '%.3f' % (0.5 + k * 0.013))
    trap(ds, 'PixelSpacing', ['%.4f' % (0.3 + k * 0.0071), '%.4f' % (0.3 + k * 0.0071)])
    trap(ds, 'ImageOrientationPatient', ['1', '0', '0', '0', '%.5f' % (0.99 - k * 0.0001),
                                         '%.5f' % (-0.0011 * k)])
    trap(ds, 'ImagePositionPatient', ['%.2f' % (-120.5 - k), '%.2f' % (-97.25 - k), '%.1f' % (30.5 + k)])
    if kind == 'CT':
        trap(ds, 'KVP', str(80 + 10 * (k % 6)))
        trap(ds, 'ConvolutionKernel', R.choice(['B30f', 'FC13', 'STANDARD', 'Br40d']))
    elif kind == 'MR':
        trap(ds, 'RepetitionTime', '%.1f' % (400 + 7.3 * k))
        trap(ds, 'EchoTime', '%.2f' % (10 + 0.37 * k))
        trap(ds, 'MagneticFieldStrength', R.choice(['1.5', '3']))
    trap(ds, 'BodyPartExamined', R.choice(['HEAD', 'CHEST', 'ABDOMEN', 'KNEE', 'BREAST', 'PELVIS']))


# --------------------------------------------------------------------------
# dataset helpers

def el(ds, tag, vr, value):
    ds.add(DataElement(tag, vr, value))


def seq(*items):
    return Sequence(list(items))


def item(**kw):
    d = Dataset()
    for k, v in kw.items():
        setattr(d, k, v)
    return d


def code(value, scheme, meaning):
    return item(CodeValue=value, CodingSchemeDesignator=scheme, CodeMeaning=meaning)


def private_block(ds, group, slot, creator, elements):
    """elements: list of (elem_low_byte, VR, value)"""
    el(ds, (group << 16) | slot, 'LO', creator)
    for lo, vr, val in elements:
        el(ds, (group << 16) | (slot << 8) | lo, vr, val)


def base(ds, pat, ex, sop_class, modality, series_desc=True, physician=True, more=True):
    ds.SpecificCharacterSet = 'ISO_IR 100'
    ds.SOPClassUID = sop_class
    ds.SOPInstanceUID = uid()
    ds.StudyInstanceUID = uid()
    ds.SeriesInstanceUID = uid()
    ds.Modality = modality
    ds.PatientName = pat.p.pn()
    ds.PatientID = pat.ipp.v
    ds.PatientBirthDate = pat.birth.da
    ds.PatientSex = pat.sex
    ds.StudyDate = ex.date.da
    ds.StudyTime = '%02d%02d%02d' % (R.randrange(7, 20), R.randrange(60), R.randrange(60))
    ds.AccessionNumber = ex.acc.v
    ds.StudyID = str(R.randrange(1, 9999))
    ds.SeriesNumber = str(R.randrange(1, 50))
    ds.InstanceNumber = str(R.randrange(1, 300))
    if physician:
        ds.ReferringPhysicianName = ex.ref.pn()
    else:
        ds.ReferringPhysicianName = ''
    if more:
        ds.InstitutionName = ex.hosp.name.v
        ds.OperatorsName = ex.op.pn()
    ds.Manufacturer = R.choice(['SIEMENS', 'GE MEDICAL SYSTEMS', 'Philips', 'Canon Medical', 'FUJIFILM'])
    REG._sop = (sop_class, ds.SOPInstanceUID)


TS = {'ele': '1.2.840.10008.1.2.1', 'ile': '1.2.840.10008.1.2', 'ebe': '1.2.840.10008.1.2.2',
      'defl': '1.2.840.10008.1.2.1.99', 'jpeg': '1.2.840.10008.1.2.4.50',
      'rle': '1.2.840.10008.1.2.5'}

OUT = None


def save(ds, rel, ts='ele', meta_extra=None, post=None):
    fm = FileMetaDataset()
    fm.MediaStorageSOPClassUID = ds.SOPClassUID if 'SOPClassUID' in ds else '1.2.840.10008.1.3.10'
    fm.MediaStorageSOPInstanceUID = ds.SOPInstanceUID if 'SOPInstanceUID' in ds else uid()
    fm.TransferSyntaxUID = TS[ts]
    fm.ImplementationClassUID = '1.2.826.0.1.3680043.10.543.1'
    fm.ImplementationVersionName = 'HELDOUT_R3'
    if meta_extra:
        for k, v in meta_extra.items():
            if isinstance(k, int):
                fm.add(DataElement(k, v[0], v[1]))
            else:
                setattr(fm, k, v)
    ds.file_meta = fm
    ds.is_little_endian = ts != 'ebe'
    ds.is_implicit_VR = ts == 'ile'
    path = os.path.join(OUT, 'corpus', rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    bio = io.BytesIO()
    pydicom.dcmwrite(bio, ds, write_like_original=False)
    data = bio.getvalue()
    if post:
        data = post(data)
    with open(path, 'wb') as f:
        f.write(data)
    for kw, val in REG._traps_cur:
        if (kw, val) not in REG._trap_seen:   # distinct (keyword, value) pairs only
            REG._trap_seen.add((kw, val))
            REG.traps.append({'file': rel, 'keyword': kw, 'value': val})
    REG._traps_cur = []
    REG.done(rel)
    return rel


REG._traps_cur = []
REG._trap_seen = set()


def ob_text(s):
    b = s.encode('utf-8') if isinstance(s, str) else s
    return b + (b'\x00' if len(b) % 2 else b'')


def img(ds, rows=16, cols=16, bits=16, seedv=0, be=False):
    ds.Rows = rows
    ds.Columns = cols
    ds.SamplesPerPixel = 1
    ds.PhotometricInterpretation = 'MONOCHROME2'
    ds.BitsAllocated = bits
    ds.BitsStored = bits if bits == 8 else 12
    ds.HighBit = ds.BitsStored - 1
    ds.PixelRepresentation = 0
    a = (np.arange(rows * cols) * (7 + seedv) % 4000).astype('>u2' if be else '<u2')
    if bits == 8:
        a = (np.arange(rows * cols) * 3 % 256).astype('u1')
    ds.PixelData = a.tobytes()


def rgb(ds, rows=16, cols=16):
    ds.Rows = rows
    ds.Columns = cols
    ds.SamplesPerPixel = 3
    ds.PhotometricInterpretation = 'RGB'
    ds.PlanarConfiguration = 0
    ds.BitsAllocated = 8
    ds.BitsStored = 8
    ds.HighBit = 7
    ds.PixelRepresentation = 0
    ds.PixelData = (np.arange(rows * cols * 3) * 5 % 256).astype('u1').tobytes()


# --------------------------------------------------------------------------
# scenarios: each writes one or more files

NFILE = [0]


def relpath(pat, ex, name, named=False):
    NFILE[0] += 1
    if named:
        folder = '%s_%s_%s' % (norm(pat.p.id.v.split('^')[0]).strip().upper().replace(' ', '-'),
                               pat.p.given, pat.birth.da)
        sub = '%s_%s' % (ex.date.iso(), name)
        return '%s/%s/IM%04d.dcm' % (folder, sub, NFILE[0])
    return 'studies/s%03d_%s/IM%04d.dcm' % (NFILE[0], name, NFILE[0])


def nested_private(pat, ex, depth=3):
    """a private SQ holding a public SQ holding a private SQ ... with identifiers at every level"""
    who = staff()
    inner = Dataset()
    private_block(inner, 0x0041, 0x10, 'ATELIER_HOSPITAL_NOTES', [
        (0x01, 'LO', who.full() + ' '), (0x02, 'LT', 'Appel ' + pat.phone.v), (0x03, 'DA', pat.birth.da)])
    mid = Dataset()
    mid.ReferencedSOPInstanceUID = uid()
    mid.ReferencedSOPClassUID = '1.2.840.10008.5.1.4.1.1.2'
    el(mid, 0x00081140, 'SQ', seq(inner))  # ReferencedImageSequence > private
    mid.PurposeOfReferenceCodeSequence = seq(code('121311', 'DCM', 'Localizer'))
    top = Dataset()
    private_block(top, 0x0043, 0x10, 'GEMS_PARM_01', [(0x01, 'SQ', seq(mid)),
                                                        (0x02, 'SH', pat.ipp.v)])
    return top


def code_uid_extras(ds, pat, ex):
    """UIDs built from French roots + FINESS / IPP in UI attributes outside the usual UID list,
    dimension labels and secondary-capture equipment strings"""
    ds.DimensionOrganizationSequence = seq(item(DimensionOrganizationUID='1.2.250.1.59.5.%s.%s' % (pat.ipp.v, ex.date.da)))
    ds.DimensionIndexSequence = seq(item(
        DimensionOrganizationUID=ds.DimensionOrganizationSequence[0].DimensionOrganizationUID,
        DimensionIndexPointer=0x00209057, FunctionalGroupPointer=0x00209111,
        DimensionDescriptionLabel='Index ' + staff().full()))
    ds.AnatomicRegionSequence = seq(item(CodeValue='T-04000', CodingSchemeDesignator='SRT', CodeMeaning='Breast',
                                         ContextIdentifier='4', ContextUID='1.2.250.1.59.6.%s' % ex.hosp.finess.v,
                                         MappingResource='DCMR', ContextGroupExtensionFlag='Y',
                                         ContextGroupLocalVersion='20200101',
                                         ContextGroupExtensionCreatorUID='1.2.250.1.59.8.%s' % ex.hosp.finess.v))
    ds.SecondaryCaptureDeviceManufacturer = 'Logiciel maison ' + ex.hosp.name.v
    ds.SecondaryCaptureDeviceManufacturerModelName = 'Poste ' + staff().upper_cs()


def sc_implicit(pat, ex, named):
    """CT image, implicit VR LE: private IS/DS numeric identifiers, creator string with the hospital"""
    ds = Dataset()
    base(ds, pat, ex, '1.2.840.10008.5.1.4.1.1.2', 'CT')
    geometry_traps(ds, 'CT')
    img(ds)
    h = ex.hosp
    if not hasattr(h, 'creator'):
        h.creator = Id(REG, 'private-creator', 'SERVICE INFORMATIQUE %s' % h.name.value.upper(),
                       text=[wordn('SERVICE INFORMATIQUE %s' % h.name.value)], deps=[h.name])
    creator = h.creator
    ipp_n = pat.ipp.v
    private_block(ds, 0x0029, 0x10, creator.v, [
        (0x01, 'IS', ipp_n if len(ipp_n) <= 12 else ipp_n[:12]),
        (0x02, 'DS', digits_of(ex.acc.value)),
        (0x03, 'LO', pat.nir.v)])
    ex.acc.v
    ds.add(DataElement(0x00291104, 'SQ', seq(nested_private(pat, ex))))
    save(ds, relpath(pat, ex, 'TDM', named), 'ile')


def ct_bigendian(pat, ex, named):
    """explicit VR big endian: PN in OW-swapped private, retired attributes"""
    ds = Dataset()
    base(ds, pat, ex, '1.2.840.10008.5.1.4.1.1.2', 'CT')
    geometry_traps(ds, 'CT')
    img(ds, be=True)
    d = DateId('date-other', 2015, 2025)
    el(ds, 0x00203403, 'DA', d.da)  # retired Modified Image Date
    w = staff()
    el(ds, 0x00203406, 'LO', 'Retouché par ' + w.full())  # retired Modified Image Description
    el(ds, 0x00284000, 'LT', 'Présentation validée ' + ex.ref.full())  # retired
    el(ds, 0x00321020, 'LO', ex.hosp.dept.v)  # retired Scheduled Study Location
    el(ds, 0x40080119, 'PN', staff('Pr').pn())  # retired Distribution Name
    el(ds, 0x4008011A, 'LO', ex.hosp.addr.v)  # retired Distribution Address
    el(ds, 0x00081000, 'AE', ex.hosp.ae.v)  # retired Network ID
    # text in an OW private value (16-bit words in big endian)
    t = pat.p.full().encode('latin-1')
    t = t + b' ' * (len(t) % 2)
    private_block(ds, 0x0019, 0x10, 'SIEMENS CT VA0  COAD', [(0x01, 'OW', t)])
    save(ds, relpath(pat, ex, 'TDM_BE', named), 'ebe')


def mr_deflated(pat, ex, named):
    ds = Dataset()
    base(ds, pat, ex, '1.2.840.10008.5.1.4.1.1.4', 'MR')
    geometry_traps(ds, 'MR')
    img(ds)
    ds.RequestAttributesSequence = seq(item(
        RequestedProcedureID=ex.acc.v, ScheduledProcedureStepID=fresh_digits(6),
        RequestedProcedureCodeSequence=seq(code('IRMGEN', '99CHU', 'IRM genou - ' + ex.ref.full()))))
    ds.add(DataElement(0x00091110, 'SQ', seq(nested_private(pat, ex))))
    private_block(ds, 0x0009, 0x10, 'ATELIER_DEFLATE', [(0x01, 'UT', 'Adresse : ' + pat.addr.v)])
    save(ds, relpath(pat, ex, 'IRM', named), 'defl')


def mr_enhanced(pat, ex, named):
    """multi-frame functional groups: identifiers per frame"""
    ds = Dataset()
    base(ds, pat, ex, '1.2.840.10008.5.1.4.1.1.4.1', 'MR')
    ds.ImageType = ['ORIGINAL', 'PRIMARY', 'M', 'NONE']
    img(ds, 8, 8)
    ds.NumberOfFrames = 3
    ds.PixelData = (np.arange(8 * 8 * 3) % 100).astype('<u2').tobytes()
    ds.AcquisitionDateTime = ex.date.dt('+0100')
    frames = []
    TRAPI[0] += 1
    for f in range(3):
        w = staff()
        fi = Dataset()
        fi.FrameContentSequence = seq(item(
            FrameAcquisitionDateTime=ex.date.dt('+0200'),
            FrameReferenceDateTime=ex.date.dt('-0500'),
            FrameAcquisitionNumber=f + 1,
            FrameComments='Coupe vérifiée par ' + w.full(),
            FrameLabel=w.upper_cs() if f == 1 else 'FRAME%d' % f))
        fi.PlanePositionSequence = seq(item(ImagePositionPatient=['-100', '-100', str(10 * f + TRAPI[0])]))
        frames.append(fi)
    ds.PerFrameFunctionalGroupsSequence = Sequence(frames)
    sh = Dataset()
    sh.PixelMeasuresSequence = seq(item(PixelSpacing=['0.8125', '0.8125'], SliceThickness='2.5'))
    sh.MRTimingAndRelatedParametersSequence = seq(item(RepetitionTime='%.1f' % (2000 + TRAPI[0]), FlipAngle='90'))
    sh.add(DataElement(0x00211199, 'SQ', seq(nested_private(pat, ex))))
    el(sh, 0x00210010, 'LO', 'SIEMENS MR SDS 01')
    ds.SharedFunctionalGroupsSequence = seq(sh)
    trap(ds, 'MagneticFieldStrength', '3')
    trap(ds, 'BodyPartExamined', 'BRAIN')
    code_uid_extras(ds, pat, ex)
    save(ds, relpath(pat, ex, 'IRM_ENH', named), 'ele')


def ophthalmic(pat, ex, named):
    ds = Dataset()
    base(ds, pat, ex, '1.2.840.10008.5.1.4.1.1.77.1.5.1', 'OP')
    rgb(ds)
    ds.ImageLaterality = 'R'
    trap(ds, 'ImageLaterality', 'R')
    trap(ds, 'HorizontalFieldOfView', '%d' % (30 + len(REG.files) % 20))
    ds.AcquisitionDeviceTypeCodeSequence = seq(code('R-1021A', 'SRT', 'Fundus Camera'))
    ds.AnatomicRegionSequence = seq(code('T-AA610', 'SRT', 'Retina'))
    ds.DeviceSerialNumber = serial().v
    ds.StationName = ex.hosp.ae.v
    ds.AcquisitionContextSequence = seq(item(
        ValueType='TEXT', ConceptNameCodeSequence=seq(code('121106', 'DCM', 'Comment')),
        TextValue='Acuité mesurée par ' + staff().full()))
    ds.PatientEyeMovementCommanded = 'NO'
    ds.RefractiveStateSequence = seq(item(SphericalLensPower=-1.25, CylinderLensPower=0.5,
                                          CylinderAxis=90.0))
    trap(ds.RefractiveStateSequence[0], 'SphericalLensPower', '-1.25')
    ds.ContentDate = ex.date.da
    ds.ImageComments = 'Rétinographie ' + pat.p.full() + ' née le ' + pat.birth.fr()
    # icon image sequence with a private element inside the icon item
    icon = Dataset()
    icon.Rows = 4
    icon.Columns = 4
    icon.SamplesPerPixel = 1
    icon.PhotometricInterpretation = 'MONOCHROME2'
    icon.BitsAllocated = 8
    icon.BitsStored = 8
    icon.HighBit = 7
    icon.PixelRepresentation = 0
    icon.PixelData = bytes(range(16))
    private_block(icon, 0x0011, 0x10, 'ICON_THUMB_INFO', [(0x01, 'LO', pat.p.full()), (0x02, 'LO', pat.ipp.v)])
    ds.IconImageSequence = seq(icon)
    save(ds, relpath(pat, ex, 'RETINO', named), 'ele')


def opt(pat, ex, named):
    ds = Dataset()
    base(ds, pat, ex, '1.2.840.10008.5.1.4.1.1.77.1.5.4', 'OPT')
    img(ds, 8, 8, 8)
    ds.NumberOfFrames = 1
    trap(ds, 'ImageLaterality', 'L')
    ds.AcquisitionDateTime = ex.date.dt('+0100')
    ds.DeviceSerialNumber = serial().v
    ds.SoftwareVersions = ['6.9.0.27', 'CHU ' + ex.hosp.name.value.split(' de ')[-1]]
    ex.hosp.name.v
    ds.SharedFunctionalGroupsSequence = seq(item(
        PixelMeasuresSequence=seq(item(PixelSpacing=['0.0039', '0.0117'], SliceThickness='0.0117')),
        FrameContentSequence=seq(item(FrameComments='OCT maculaire ' + pat.p.full()))))
    save(ds, relpath(pat, ex, 'OCT', named), 'ele')


def derm_vl(pat, ex, named):
    """dermatology photo with Exif-derived attributes"""
    ds = Dataset()
    base(ds, pat, ex, '1.2.840.10008.5.1.4.1.1.77.1.4', 'XC')
    rgb(ds)
    trap(ds, 'LensSpecification', ['18', '55', '3.5', '5.6'])
    trap(ds, 'FNumber', '%.1f' % (2.8 + len(REG.files) % 5))
    owner = staff('Dr')
    el(ds, 0x0016004D, 'UT', owner.full() + ', ' + ex.hosp.name.v)  # Camera Owner Name
    el(ds, 0x00160051, 'UT', serial('device-serial').v)  # Lens Serial Number
    mk = b'Nikon\x00\x02\x10\x00\x00' + ('Owner:' + staff().full() + ';Tel:' + ex.hosp.phone.v).encode('latin-1')
    el(ds, 0x0016002B, 'OB', ob_text(mk))  # Maker Note
    t = Id(REG, 'gps-place', 'Lieu-dit ' + town(), word=[])
    t.needles['word'] = [wordn(t.value[9:])]
    el(ds, 0x0016008C, 'OB', ob_text(b'ASCII\x00\x00\x00' + t.v.encode('latin-1')))  # GPS Area Information
    el(ds, 0x0016008D, 'DT', ex.date.da)  # GPS Date Stamp
    ds.AnatomicRegionSequence = seq(code('T-D2220', 'SRT', 'Dos'))
    el(ds, 0x00400555, 'SQ', seq())
    code_uid_extras(ds, pat, ex)
    save(ds, relpath(pat, ex, 'PHOTO_DERMATO', named), 'ele')


def mammo_cad_sr(pat, ex, named):
    ds = Dataset()
    base(ds, pat, ex, '1.2.840.10008.5.1.4.1.1.88.50', 'SR')
    ds.ContentDate = ex.date.da
    ds.ContentTime = '101500'
    rad = staff('Dr')
    ds.VerifyingObserverSequence = seq(item(
        VerifyingObserverName=rad.pn(), VerifyingOrganization=ex.hosp.name.v,
        VerificationDateTime=ex.date.dt('+0100'),
        VerifyingObserverIdentificationCodeSequence=seq(code(rpps().v, 'RPPS', rad.full()))))
    ds.AuthorObserverSequence = seq(item(ObserverType='DEV', InstitutionName=ex.hosp.name.v,
                                         InstitutionalDepartmentName=ex.hosp.dept.v,
                                         ManufacturerModelName='CAD 4.2', DeviceSerialNumber=serial().v))
    ds.ParticipantSequence = seq(item(ParticipationType='ENT', ParticipationDateTime=ex.date.dt(),
                                      PersonName=staff().pn(), ObserverType='PSN'))
    ds.ValueType = 'CONTAINER'
    ds.ConceptNameCodeSequence = seq(code('111036', 'DCM', 'Mammography CAD Report'))
    ds.ContinuityOfContent = 'SEPARATE'
    second = staff('Dr')
    deep = item(RelationshipType='HAS PROPERTIES', ValueType='TEXT',
                ConceptNameCodeSequence=seq(code('121106', 'DCM', 'Comment')),
                TextValue='Double lecture : ' + second.full() + ', joignable au ' + ex.hosp.phone.v)
    lvl3 = item(RelationshipType='CONTAINS', ValueType='CONTAINER',
                ConceptNameCodeSequence=seq(code('111059', 'DCM', 'Single Image Finding')),
                ContinuityOfContent='SEPARATE', ContentSequence=seq(deep, item(
                    RelationshipType='HAS PROPERTIES', ValueType='DATE',
                    ConceptNameCodeSequence=seq(code('111060', 'DCM', 'Study Date')),
                    Date=DateId('date-prior', 2015, 2021).da)))
    pname = item(RelationshipType='HAS OBS CONTEXT', ValueType='PNAME',
                 ConceptNameCodeSequence=seq(code('121008', 'DCM', 'Person Observer Name')),
                 PersonName=rad.pn())
    ds.ContentSequence = seq(pname, item(
        RelationshipType='HAS OBS CONTEXT', ValueType='TEXT',
        ConceptNameCodeSequence=seq(code('121009', 'DCM', "Person Observer's Organization Name")),
        TextValue=ex.hosp.name.v), item(
        RelationshipType='CONTAINS', ValueType='CONTAINER',
        ConceptNameCodeSequence=seq(code('111028', 'DCM', 'Image Library')),
        ContinuityOfContent='SEPARATE', ContentSequence=seq(lvl3)))
    save(ds, relpath(pat, ex, 'CAD_SR', named), 'ele')


def key_object(pat, ex, named):
    ds = Dataset()
    base(ds, pat, ex, '1.2.840.10008.5.1.4.1.1.88.59', 'KO')
    ds.ContentDate = ex.date.da
    ds.ContentTime = '120000'
    ds.ValueType = 'CONTAINER'
    ds.ConceptNameCodeSequence = seq(code('113001', 'DCM', 'Of Interest'))
    who = staff('Dr')
    ds.ContentSequence = seq(item(
        RelationshipType='CONTAINS', ValueType='TEXT',
        ConceptNameCodeSequence=seq(code('113012', 'DCM', 'Key Object Description')),
        TextValue='Images à montrer au ' + who.full() + ' (RCP du ' + ex.date.fr() + ')'),
        item(RelationshipType='HAS OBS CONTEXT', ValueType='UIDREF',
             ConceptNameCodeSequence=seq(code('110180', 'DCM', 'Study Instance UID')),
             UID='1.2.250.1.59.%s.%s' % (pat.ipp.v, ex.date.da)))
    ds.CurrentRequestedProcedureEvidenceSequence = seq(item(
        StudyInstanceUID='1.2.250.1.59.%s.1' % ex.acc.v,
        ReferencedSeriesSequence=seq(item(SeriesInstanceUID=uid(), RetrieveAETitle=ex.hosp.ae.v,
                                          ReferencedSOPSequence=seq(item(
                                              ReferencedSOPClassUID='1.2.840.10008.5.1.4.1.1.2',
                                              ReferencedSOPInstanceUID=uid()))))))
    ds.ReferencedRequestSequence = seq(item(StudyInstanceUID=uid(), AccessionNumber=ex.acc.v,
                                            RequestedProcedureID=ex.acc.v,
                                            PlacerOrderNumberImagingServiceRequest=order().v,
                                            FillerOrderNumberImagingServiceRequest=ex.acc.v))
    save(ds, relpath(pat, ex, 'KOS', named), 'ele')


def rt_ion_plan(pat, ex, named):
    ds = Dataset()
    base(ds, pat, ex, '1.2.840.10008.5.1.4.1.1.481.8', 'RTPLAN')
    phys = staff('Dr')
    ds.RTPlanLabel = pat.p.upper_cs()
    ds.RTPlanName = 'Protonthérapie ' + pat.p.full()
    ds.RTPlanDescription = 'Plan validé ' + ex.date.fr() + ' par ' + phys.full()
    ds.RTPlanDate = ex.date.da
    ds.RTPlanGeometry = 'PATIENT'
    ds.ApprovalStatus = 'APPROVED'
    ds.ReviewerName = phys.pn()
    ds.ReviewDate = ex.date.da
    ds.ReviewTime = '154500'
    trap(ds, 'RTPlanGeometry', 'PATIENT')
    mach = Id(REG, 'device-name', 'PROTEUS_' + ex.hosp.ae.value[:4] + '_' + fresh_digits(3), word=[])
    mach.needles['word'] = [wordn(mach.value)]
    ds.DoseReferenceSequence = seq(item(DoseReferenceNumber=1, DoseReferenceStructureType='SITE',
                                        DoseReferenceDescription='PTV ' + pat.p.full(),
                                        TargetPrescriptionDose='54'))
    trap(ds.DoseReferenceSequence[0], 'TargetPrescriptionDose', '54')
    ds.FractionGroupSequence = seq(item(FractionGroupNumber=1, NumberOfFractionsPlanned=30,
                                        FractionGroupDescription='Fractions prescrites par ' + phys.full()))
    ds.ToleranceTableSequence = seq(item(ToleranceTableNumber=1, ToleranceTableLabel=staff().upper_cs()))
    ds.PatientSetupSequence = seq(item(PatientSetupNumber=1, PatientPosition='HFS',
                                       SetupTechniqueDescription='Contention faite par ' + staff().full(),
                                       FixationDeviceSequence=seq(item(
                                           FixationDeviceType='MASK',
                                           FixationDeviceLabel='Masque ' + pat.p.full(),
                                           FixationDeviceDescription='Moulé le ' + ex.date.fr()))))
    beam = item(BeamNumber=1, BeamName='G90_' + pat.p.upper_cs(), BeamType='STATIC',
                RadiationType='PROTON', TreatmentMachineName=mach.v, ScanMode='MODULATED',
                BeamDescription='Faisceau relu par ' + staff('Dr').full(),
                NumberOfRangeShifters=1,
                RangeShifterSequence=seq(item(RangeShifterNumber=1, RangeShifterID='RS_' + serial().v.replace(' ', ''),
                                              RangeShifterType='BINARY')),
                SnoutSequence=seq(item(SnoutID='SNOUT_' + ex.hosp.ae.v)),
                IonControlPointSequence=seq(item(ControlPointIndex=0, NominalBeamEnergy='%.1f' % (120 + len(REG.files)),
                                                 GantryAngle='90')))
    trap(beam.IonControlPointSequence[0], 'GantryAngle', '90')
    ds.IonBeamSequence = seq(beam)
    save(ds, relpath(pat, ex, 'RTIONPLAN', named), 'ele')


def rt_record(pat, ex, named):
    ds = Dataset()
    base(ds, pat, ex, '1.2.840.10008.5.1.4.1.1.481.4', 'RTRECORD')
    tdate = DateId('date-treatment', 2022, 2025)
    ds.TreatmentDate = tdate.da
    ds.TreatmentTime = '083000'
    ds.TreatmentMachineSequence = seq(item(TreatmentMachineName='TB_' + ex.hosp.ae.v,
                                           Manufacturer='Varian', InstitutionName=ex.hosp.name.v,
                                           InstitutionAddress=ex.hosp.addr.v,
                                           InstitutionalDepartmentName=ex.hosp.dept.v,
                                           DeviceSerialNumber=serial().v))
    tech = staff()
    ds.TreatmentSessionBeamSequence = seq(item(
        ReferencedBeamNumber=1, BeamName='ARC1', CurrentFractionNumber=12,
        TreatmentDeliveryType='TREATMENT', TreatmentTerminationStatus='NORMAL',
        TreatmentVerificationStatus='VERIFIED',
        TreatmentStatusComment='Séance faite par ' + tech.full() + ' le ' + tdate.fr(),
        ControlPointDeliverySequence=seq(item(TreatmentControlPointDate=tdate.da,
                                              TreatmentControlPointTime='083112',
                                              SpecifiedMeterset='112.5', DeliveredMeterset='112.5'))))
    trap(ds.TreatmentSessionBeamSequence[0].ControlPointDeliverySequence[0], 'DeliveredMeterset', '112.5')
    tsr = ds
    el(tsr, 0x30080054, 'DA', DateId('date-treatment', 2021, 2022).da)  # First Treatment Date
    el(tsr, 0x30080056, 'DA', tdate.da)  # Most Recent Treatment Date
    el(ds, 0x30080105, 'LO', serial('device-serial').v)  # Source Serial Number
    ds.ReferencedPatientSetupNumber = 1
    save(ds, relpath(pat, ex, 'RTRECORD', named), 'ile')


def registration(pat, ex, named, deformable=False):
    ds = Dataset()
    base(ds, pat, ex, '1.2.840.10008.5.1.4.1.1.66.3' if deformable else '1.2.840.10008.5.1.4.1.1.66.1', 'REG')
    ds.ContentLabel = pat.p.upper_cs()
    ds.ContentDescription = 'Recalage TEP/TDM de ' + pat.p.full()
    ds.ContentCreatorName = staff().pn()
    ds.ContentDate = ex.date.da
    ds.ContentTime = '101010'
    ds.FrameOfReferenceUID = uid()
    mat = item(FrameOfReferenceTransformationMatrixType='RIGID',
               FrameOfReferenceTransformationMatrix=['1', '0', '0', '%.2f' % (len(REG.files) * 0.5), '0', '1', '0', '0',
                                                     '0', '0', '1', '0', '0', '0', '0', '1'],
               FrameOfReferenceTransformationComment='Validé par ' + staff('Dr').full())
    if not deformable:
        ds.RegistrationSequence = seq(item(FrameOfReferenceUID=uid(), MatrixRegistrationSequence=seq(
            item(MatrixSequence=seq(mat),
                 RegistrationTypeCodeSequence=seq(code('125024', 'DCM', 'Image Content-based Alignment'))))))
        trap(ds.RegistrationSequence[0].MatrixRegistrationSequence[0].MatrixSequence[0],
             'FrameOfReferenceTransformationMatrixType', 'RIGID')
    else:
        grid = item(ImageOrientationPatient=['1', '0', '0', '0', '1', '0'], ImagePositionPatient=['0', '0', '0'],
                    GridDimensions=[2, 2, 1], GridResolution=[5.0, 5.0, 5.0],
                    VectorGridData=struct.pack('<12f', *([0.25] * 12)))
        d = item(SourceFrameOfReferenceUID=uid(), DeformableRegistrationGridSequence=seq(grid),
                 PreDeformationMatrixRegistrationSequence=seq(mat),
                 PostDeformationMatrixRegistrationSequence=seq(item(
                     FrameOfReferenceTransformationMatrixType='RIGID',
                     FrameOfReferenceTransformationMatrix=['1', '0', '0', '0'] * 4,
                     FrameOfReferenceTransformationComment='Atlas ' + ex.hosp.name.v)),
                 RegistrationTypeCodeSequence=seq(code('125024', 'DCM', 'Image Content-based Alignment')))
        private_block(d, 0x0071, 0x10, 'MIM SOFTWARE REG', [(0x01, 'SQ', seq(nested_private(pat, ex)))])
        ds.DeformableRegistrationSequence = seq(d)
        trap(grid, 'GridResolution', ['5', '5', '5'])
    save(ds, relpath(pat, ex, 'DEFREG' if deformable else 'REG', named), 'ele')


def rwv(pat, ex, named):
    ds = Dataset()
    base(ds, pat, ex, '1.2.840.10008.5.1.4.1.1.67', 'RWV')
    ds.ContentLabel = 'SUV_' + pat.p.upper_cs()
    ds.ContentDescription = 'SUV poids ' + pat.p.full()
    ds.ContentCreatorName = staff().pn()
    ds.ContentDate = ex.date.da
    ds.ContentTime = '090000'
    ds.ReferencedImageRealWorldValueMappingSequence = seq(item(
        RealWorldValueMappingSequence=seq(item(
            LUTLabel=staff().upper_cs(), LUTExplanation='Étalonnage ' + ex.hosp.name.v + ' ' + ex.date.fr(),
            RealWorldValueFirstValueMapped=0, RealWorldValueLastValueMapped=4095,
            RealWorldValueIntercept=0.0, RealWorldValueSlope=0.0123,
            MeasurementUnitsCodeSequence=seq(code('{SUVbw}g/ml', 'UCUM', 'Standardized Uptake Value body weight')))),
        ReferencedImageSequence=seq(item(ReferencedSOPClassUID='1.2.840.10008.5.1.4.1.1.128',
                                         ReferencedSOPInstanceUID=uid()))))
    trap(ds.ReferencedImageRealWorldValueMappingSequence[0].RealWorldValueMappingSequence[0],
         'RealWorldValueSlope', '0.0123')
    save(ds, relpath(pat, ex, 'RWVM', named), 'ebe')


def parametric_map(pat, ex, named):
    ds = Dataset()
    base(ds, pat, ex, '1.2.840.10008.5.1.4.1.1.30', 'MR')
    ds.Rows = 4
    ds.Columns = 4
    ds.SamplesPerPixel = 1
    ds.PhotometricInterpretation = 'MONOCHROME2'
    ds.BitsAllocated = 32
    ds.NumberOfFrames = 2
    ds.FloatPixelData = struct.pack('<32f', *([0.0015] * 32))
    ds.ContentLabel = 'ADC_' + pat.p.upper_cs()
    ds.ContentDescription = 'Carte ADC ' + pat.p.full()
    ds.ContentCreatorName = staff().pn()
    ds.ContentDate = ex.date.da
    ds.ContentTime = '111111'
    frames = []
    for f in range(2):
        frames.append(item(FrameContentSequence=seq(item(FrameLabel='F%d' % f,
                                                         FrameComments='ROI de ' + staff().full())),
                           RealWorldValueMappingSequence=seq(item(
                               LUTLabel='ADC', LUTExplanation='Calcul ' + ex.hosp.name.v,
                               RealWorldValueFirstValueMapped=0, RealWorldValueLastValueMapped=1,
                               RealWorldValueSlope=1.0, RealWorldValueIntercept=0.0))))
    ds.PerFrameFunctionalGroupsSequence = Sequence(frames)
    ds.SharedFunctionalGroupsSequence = seq(item(PixelMeasuresSequence=seq(item(
        PixelSpacing=['1.75', '1.75'], SliceThickness='%.2f' % (3 + len(REG.files) * 0.01)))))
    trap(ds, 'BodyPartExamined', 'PROSTATE')
    code_uid_extras(ds, pat, ex)
    save(ds, relpath(pat, ex, 'PMAP', named), 'ele')


def segmentation(pat, ex, named):
    ds = Dataset()
    base(ds, pat, ex, '1.2.840.10008.5.1.4.1.1.66.4', 'SEG')
    ds.SegmentationType = 'BINARY'
    ds.ContentLabel = pat.p.upper_cs()
    ds.ContentDescription = 'Contours de ' + pat.p.full()
    ds.ContentCreatorName = staff().pn()
    ds.ContentDate = ex.date.da
    ds.ContentTime = '121212'
    ds.Rows = 8
    ds.Columns = 8
    ds.SamplesPerPixel = 1
    ds.PhotometricInterpretation = 'MONOCHROME2'
    ds.BitsAllocated = 1
    ds.BitsStored = 1
    ds.HighBit = 0
    ds.PixelRepresentation = 0
    ds.NumberOfFrames = 2
    ds.PixelData = bytes([0x0F] * 16)
    d = staff('Dr')
    ds.SegmentSequence = seq(
        item(SegmentNumber=1, SegmentLabel='Nodule ' + pat.p.full(), SegmentDescription='Tracé par ' + d.full(),
             TrackingID='Nodule 1 ' + pat.p.upper_cs() + ' ' + ex.date.da,
             TrackingUID='1.2.250.1.59.2.%s.1' % pat.ipp.v,
             SegmentAlgorithmType='MANUAL',
             SegmentedPropertyCategoryCodeSequence=seq(code('49755003', 'SCT', 'Morphologically Altered Structure')),
             SegmentedPropertyTypeCodeSequence=seq(code('27925004', 'SCT', 'Nodule'))),
        item(SegmentNumber=2, SegmentLabel='Lésion vue ' + ex.date.fr(), SegmentAlgorithmType='SEMIAUTOMATIC',
             SegmentAlgorithmName='Outil interne ' + ex.hosp.name.v,
             SegmentedPropertyCategoryCodeSequence=seq(code('49755003', 'SCT', 'Morphologically Altered Structure')),
             SegmentedPropertyTypeCodeSequence=seq(code('L-' + pat.ipp.v, '99LOCAL', 'Lésion suivie ' + pat.ipp.v))))
    trap(ds, 'SegmentationType', 'BINARY')
    code_uid_extras(ds, pat, ex)
    ds.SharedFunctionalGroupsSequence = seq(item(PixelMeasuresSequence=seq(item(
        PixelSpacing=['0.7', '0.7'], SliceThickness='1.25'))))
    ds.PerFrameFunctionalGroupsSequence = Sequence([
        item(SegmentIdentificationSequence=seq(item(ReferencedSegmentNumber=k + 1)),
             FrameContentSequence=seq(item(FrameComments='Segment validé par ' + staff().full())))
        for k in range(2)])
    save(ds, relpath(pat, ex, 'SEG', named), 'ele')


def surface_seg(pat, ex, named):
    ds = Dataset()
    base(ds, pat, ex, '1.2.840.10008.5.1.4.1.1.66.5', 'SEG')
    ds.ContentLabel = 'CRANE'
    ds.ContentDescription = 'Surface crâne ' + pat.p.full()
    ds.ContentCreatorName = staff().pn()
    ds.ContentDate = ex.date.da
    ds.ContentTime = '131313'
    ds.SegmentSequence = seq(item(SegmentNumber=1, SegmentLabel=pat.p.full() + ' os',
                                  SegmentAlgorithmType='AUTOMATIC', SegmentAlgorithmName='Marching cubes',
                                  SurfaceCount=1))
    ds.SurfaceSequence = seq(item(
        SurfaceNumber=1, SurfaceComments='Modèle imprimé pour ' + staff('Pr').full() + ', ' + ex.hosp.addr.v,
        SurfaceProcessing='YES', SurfaceProcessingDescription='Lissage ' + staff().full(),
        RecommendedPresentationOpacity=1.0, RecommendedPresentationType='SURFACE', FiniteVolume='YES',
        Manifold='YES',
        SurfacePointsSequence=seq(item(NumberOfSurfacePoints=3,
                                       PointCoordinatesData=struct.pack('<9f', 0, 0, 0, 1, 0, 0, 0, 1, 0))),
        AlgorithmFamilyCodeSequence=seq(code('123109', 'DCM', 'Manual Processing')),
        AlgorithmNameCodeSequence=seq(code('ALG1', '99LOCAL', 'Algo de ' + staff().full())),
        AlgorithmName='Recon ' + ex.hosp.name.v, AlgorithmVersion='1.0'))
    trap(ds.SurfaceSequence[0], 'RecommendedPresentationOpacity', '1')
    save(ds, relpath(pat, ex, 'SURFSEG', named), 'ele')


def ecg(pat, ex, named):
    ds = Dataset()
    base(ds, pat, ex, '1.2.840.10008.5.1.4.1.1.9.1.1', 'ECG')
    ds.AcquisitionDateTime = ex.date.dt('+0100')
    ds.ContentDate = ex.date.da
    ds.ContentTime = '081500'
    chans = []
    for lead in ('I', 'II'):
        chans.append(item(ChannelLabel=lead if lead == 'I' else staff().upper_cs(),
                          ChannelSourceSequence=seq(code('5.6.3-9-1', 'SCPECG', 'Lead ' + lead)),
                          ChannelSensitivity='1', ChannelSensitivityUnitsSequence=seq(code('uV', 'UCUM', 'microvolt')),
                          ChannelSampleSkew='0', WaveformBitsStored=16))
    data = (np.arange(2 * 20) % 50).astype('<i2').tobytes()
    wf = item(MultiplexGroupTimeOffset='0', WaveformOriginality='ORIGINAL', NumberOfWaveformChannels=2,
              NumberOfWaveformSamples=20, SamplingFrequency='500', MultiplexGroupLabel='RYTHME ' + pat.p.upper_cs(),
              ChannelDefinitionSequence=Sequence(chans), WaveformBitsAllocated=16, WaveformSampleInterpretation='SS',
              WaveformData=data)
    wf['WaveformData'].VR = 'OW'
    ds.WaveformSequence = seq(wf)
    trap(ds.WaveformSequence[0], 'SamplingFrequency', '500')
    card = staff('Dr')
    ds.WaveformAnnotationSequence = seq(
        item(UnformattedTextValue='Tracé relu par ' + card.full() + ' ' + ex.date.fr(), ReferencedWaveformChannels=[1, 0]),
        item(ConceptNameCodeSequence=seq(code('8867-4', 'LN', 'Heart rate')), NumericValue='72',
             MeasurementUnitsCodeSequence=seq(code('/min', 'UCUM', 'per minute')), ReferencedWaveformChannels=[1, 0]),
        item(UnformattedTextValue='Patient : ' + pat.p.full() + ' IPP ' + pat.ipp.v, AnnotationGroupNumber=2))
    save(ds, relpath(pat, ex, 'ECG', named), 'ele')


def raw_data(pat, ex, named):
    ds = Dataset()
    base(ds, pat, ex, '1.2.840.10008.5.1.4.1.1.66', 'CT')
    ds.ContentDate = ex.date.da
    ds.ContentTime = '141414'
    ds.InstanceCreationDate = ex.date.da
    ds.CreatorVersionUID = '1.2.250.1.59.3.%s' % ex.hosp.finess.v
    lvl4 = Dataset()
    private_block(lvl4, 0x7005, 0x10, 'TOSHIBA_MEC_CT3', [(0x01, 'PN', staff().pn()), (0x02, 'LO', pat.nir.v),
                                                          (0x03, 'UT', 'Domicile ' + pat.addr.v)])
    lvl3 = item(ReferencedSOPClassUID='1.2.840.10008.5.1.4.1.1.2', ReferencedSOPInstanceUID=uid())
    lvl3.add(DataElement(0x70051104, 'SQ', seq(lvl4)))
    el(lvl3, 0x70050010, 'LO', 'TOSHIBA_MEC_CT3')
    lvl2 = Dataset()
    private_block(lvl2, 0x7005, 0x10, 'TOSHIBA_MEC_CT3', [(0x20, 'SQ', seq(lvl3)), (0x21, 'DT', ex.date.dt())])
    ds.ReferencedInstanceSequence = seq(item(ReferencedSOPClassUID='1.2.840.10008.5.1.4.1.1.2',
                                             ReferencedSOPInstanceUID=uid(),
                                             PurposeOfReferenceCodeSequence=seq(code('121311', 'DCM', 'Localizer'))))
    ds.ReferencedInstanceSequence[0].add(DataElement(0x70051030, 'SQ', seq(lvl2)))
    el(ds.ReferencedInstanceSequence[0], 0x70050010, 'LO', 'TOSHIBA_MEC_CT3')
    private_block(ds, 0x7005, 0x10, 'TOSHIBA_MEC_CT3', [(0x40, 'OB', ob_text(
        zlib.compress(('<raw><patient>%s</patient><birth>%s</birth></raw>' % (pat.p.full(), pat.birth.fr())).encode())))])
    trap(ds, 'KVP', '135')
    save(ds, relpath(pat, ex, 'RAW', named), 'ele')


def encap_doc(pat, ex, named, kind):
    ds = Dataset()
    sop = {'cda': '1.2.840.10008.5.1.4.1.1.104.2', 'stl': '1.2.840.10008.5.1.4.1.1.104.3',
           'obj': '1.2.840.10008.5.1.4.1.1.104.4', 'mtl': '1.2.840.10008.5.1.4.1.1.104.5'}[kind]
    base(ds, pat, ex, sop, 'DOC' if kind == 'cda' else 'M3D')
    ds.ContentDate = ex.date.da
    ds.ContentTime = '151515'
    ds.AcquisitionDateTime = ex.date.dt()
    ds.BurnedInAnnotation = 'NO'
    d = staff('Dr')
    if kind == 'cda':
        ds.DocumentTitle = 'Compte rendu ' + pat.p.full()
        ds.MIMETypeOfEncapsulatedDocument = 'text/xml'
        ds.HL7InstanceIdentifier = '1.2.250.1.213.1.1.9^' + ex.acc.v
        doc = ('<?xml version="1.0" encoding="UTF-8"?>\n<ClinicalDocument xmlns="urn:hl7-org:v3">'
               '<title>Compte rendu d\'imagerie</title><effectiveTime value="%s"/>'
               '<recordTarget><patientRole><id root="1.2.250.1.213.1.4.8" extension="%s"/>'
               '<id root="1.2.250.1.59.1" extension="%s"/><addr>%s</addr><telecom value="tel:%s"/>'
               '<patient><name><given>%s</given><family>%s</family></name>'
               '<birthTime value="%s"/></patient></patientRole></recordTarget>'
               '<author><assignedAuthor><id root="1.2.250.1.71.4.2.1" extension="8%s"/>'
               '<assignedPerson><name><prefix>Dr</prefix><family>%s</family></name></assignedPerson>'
               '<representedOrganization><name>%s</name></representedOrganization></assignedAuthor></author>'
               '<component><nonXMLBody><text>Examen du %s. Mère : %s.</text></nonXMLBody></component>'
               '</ClinicalDocument>\n') % (
            ex.date.da, pat.nir.v, pat.ipp.v, pat.addr.v, pat.phone.v, pat.p.given, pat.p.sur.upper(),
            pat.birth.da, rpps().v, d.sur, ex.hosp.name.v, ex.date.fr(), pat.mother.full())
        pat.p.id.v
        body = doc.encode('utf-8')
    elif kind == 'stl':
        ds.DocumentTitle = 'Guide de coupe'
        ds.MIMETypeOfEncapsulatedDocument = 'model/stl'
        hdr = ('solid %s_%s %s' % (pat.p.upper_cs(), pat.birth.da, ex.hosp.ae.v)).encode('latin-1')[:80].ljust(80, b' ')
        tri = struct.pack('<12fH', 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0)
        body = hdr + struct.pack('<I', 1) + tri
        ds.FrameOfReferenceUID = uid()
        ds.MeasurementUnitsCodeSequence = seq(code('mm', 'UCUM', 'mm'))
    elif kind == 'obj':
        ds.DocumentTitle = 'Maquette ' + pat.p.upper_cs()
        ds.MIMETypeOfEncapsulatedDocument = 'model/obj'
        body = ('# Exporté par %s (%s)\n# Patient %s IPP %s\nmtllib %s.mtl\no mandibule_%s\n'
                'v 0 0 0\nv 1 0 0\nv 0 1 0\nf 1 2 3\n' % (
                    d.full(), ex.hosp.name.v, pat.p.full(), pat.ipp.v, pat.p.upper_cs().lower(),
                    pat.p.upper_cs().lower())).encode('utf-8')
        ds.FrameOfReferenceUID = uid()
        ds.MeasurementUnitsCodeSequence = seq(code('mm', 'UCUM', 'mm'))
    else:
        ds.DocumentTitle = 'Matériaux'
        ds.MIMETypeOfEncapsulatedDocument = 'model/mtl'
        body = ('# Bibliothèque de %s\nnewmtl os_%s\nKa 1.000 1.000 1.000\nKd 0.9 0.9 0.8\n'
                'map_Kd %s_%s.png\n' % (ex.hosp.name.v, pat.p.upper_cs().lower(), pat.p.upper_cs(), ex.date.da)).encode('utf-8')
    if len(body) % 2:
        body += b'\n' if kind != 'stl' else b'\x00'
    ds.EncapsulatedDocument = body
    ds.EncapsulatedDocumentLength = len(body)
    save(ds, relpath(pat, ex, kind.upper(), named), 'ele')


def spectroscopy(pat, ex, named):
    ds = Dataset()
    base(ds, pat, ex, '1.2.840.10008.5.1.4.1.1.4.2', 'MR')
    ds.ContentDate = ex.date.da
    ds.ContentTime = '161616'
    ds.AcquisitionDateTime = ex.date.dt('+0100')
    ds.NumberOfFrames = 1
    ds.Rows = 1
    ds.Columns = 1
    ds.DataPointRows = 1
    ds.DataPointColumns = 8
    ds.SpectroscopyData = struct.pack('<16f', *([0.5] * 16))
    trap(ds, 'TransmitterFrequency', '127.7%02d' % (len(REG.files) % 100))
    trap(ds, 'SpectralWidth', '2000')
    ds.SharedFunctionalGroupsSequence = seq(item(
        FrameContentSequence=seq(item(FrameComments='Voxel placé par ' + staff().full())),
        MRSpectroscopyAcquisitionTypeSequence=seq()))
    ds.AcquisitionProtocolName = 'SVS ' + ex.ref.full()
    ds.PerformedProcedureStepDescription = 'Spectro ' + ex.hosp.name.v
    save(ds, relpath(pat, ex, 'SPECTRO', named), 'ele')


def hanging_protocol(pat, ex, named):
    """no patient module: identifiers in creator, selector values, labels"""
    ds = Dataset()
    ds.SpecificCharacterSet = 'ISO_IR 100'
    ds.SOPClassUID = '1.2.840.10008.5.1.4.38.1'
    ds.SOPInstanceUID = uid()
    cr = staff('Dr')
    ds.HangingProtocolName = ('HP_' + cr.upper_cs())[:16]
    ds.HangingProtocolDescription = 'Lecture mammo de ' + cr.full() + ', ' + ex.hosp.name.v
    ds.HangingProtocolLevel = 'USER_GROUP'
    ds.HangingProtocolCreator = cr.full()
    ds.HangingProtocolCreationDateTime = ex.date.dt()
    ds.HangingProtocolUserGroupName = ex.hosp.dept.v
    ds.HangingProtocolUserIdentificationCodeSequence = seq(code(rpps().v, 'RPPS', cr.full()))
    ds.HangingProtocolDefinitionSequence = seq(item(Modality='MG', Laterality='R'))
    ds.NumberOfPriorsReferenced = 1
    ds.ImageSetsSequence = seq(item(
        ImageSetSelectorSequence=seq(item(ImageSetSelectorUsageFlag='MATCH', SelectorAttribute=0x00100010,
                                          SelectorAttributeVR='PN', SelectorValueNumber=1,
                                          SelectorPNValue=pat.p.pn()),
                                     item(ImageSetSelectorUsageFlag='MATCH', SelectorAttribute=0x00091001,
                                          SelectorAttributeVR='LO', SelectorAttributePrivateCreator='CHU ' + ex.hosp.name.v.upper(),
                                          SelectorValueNumber=1, SelectorLOValue=pat.ipp.v)),
        TimeBasedImageSetsSequence=seq(item(ImageSetNumber=1, ImageSetSelectorCategory='RELATIVE_TIME',
                                            ImageSetLabel='Examen de ' + pat.p.full()))))
    ds.NumberOfScreens = 1
    ds.NominalScreenDefinitionSequence = seq(item(NumberOfVerticalPixels=2048, NumberOfHorizontalPixels=2560,
                                                  DisplayEnvironmentSpatialPosition=[0.0, 0.0, 1.0, 1.0],
                                                  ScreenMinimumGrayscaleBitDepth=10))
    trap(ds.NominalScreenDefinitionSequence[0], 'DisplayEnvironmentSpatialPosition', ['0', '0', '1', '1'])
    ds.DisplaySetsSequence = seq(item(DisplaySetNumber=1, DisplaySetLabel='Comparatif ' + ex.date.fr(),
                                      DisplaySetPresentationGroup=1, ImageBoxesSequence=seq()))
    ds.InstanceCreationDate = ex.date.da
    save(ds, 'protocols/HP_%s.dcm' % cr.upper_cs() if named else 'protocols/hp%03d.dcm' % len(REG.files), 'ele',
         meta_extra={'SourceApplicationEntityTitle': ex.hosp.ae.v})


def palette(pat, ex, named):
    ds = Dataset()
    ds.SpecificCharacterSet = 'ISO_IR 100'
    ds.SOPClassUID = '1.2.840.10008.5.1.4.39.1'
    ds.SOPInstanceUID = uid()
    cr = staff()
    ds.ContentLabel = ('PAL_' + cr.upper_cs())[:16]
    ds.ContentDescription = 'Palette TEP de ' + cr.full() + ' (' + ex.hosp.name.v + ')'
    ds.ContentCreatorName = cr.pn()
    ds.InstanceCreationDate = ex.date.da
    ds.PaletteColorLookupTableUID = '1.2.250.1.59.7.%s' % ex.hosp.finess.v
    ds.RedPaletteColorLookupTableDescriptor = [256, 0, 16]
    ds.GreenPaletteColorLookupTableDescriptor = [256, 0, 16]
    ds.BluePaletteColorLookupTableDescriptor = [256, 0, 16]
    lut = (np.arange(256) * 257).astype('<u2').tobytes()
    ds.RedPaletteColorLookupTableData = lut
    ds.GreenPaletteColorLookupTableData = lut
    ds.BluePaletteColorLookupTableData = lut
    trap(ds, 'ContentLabel', ds.ContentLabel) if False else None
    ds.AlternateContentDescriptionSequence = seq(item(ContentDescription='Palette du ' + cr.full(),
                                                      LanguageCodeSequence=seq(code('fr', 'RFC5646', 'French'))))
    save(ds, 'palettes/pal%03d.dcm' % len(REG.files), 'ele')


def content_assessment(pat, ex, named):
    ds = Dataset()
    base(ds, pat, ex, '1.2.840.10008.5.1.4.1.1.90.1', 'ASMT')
    ds.ContentDate = ex.date.da
    ds.ContentTime = '171717'
    ds.InstanceCreationDate = ex.date.da
    phys = staff('Dr')
    ds.ContentLabel = 'CQ_' + phys.upper_cs()
    ds.ContentDescription = 'Contrôle qualité par ' + phys.full()
    ds.ContentCreatorName = phys.pn()
    ds.AssessmentSummary = 'FAILED'
    ds.AssessmentSummaryDescription = 'Plan de ' + pat.p.full() + ' refusé, voir ' + staff('Dr').full()
    ds.AssessedSOPInstanceSequence = seq(item(ReferencedSOPClassUID='1.2.840.10008.5.1.4.1.1.481.5',
                                              ReferencedSOPInstanceUID=uid()))
    ds.AssessmentSetID = 'QA-' + ex.acc.v
    ds.AssessmentRequesterSequence = seq(item(PersonName=staff().pn(), InstitutionName=ex.hosp.name.v))
    ds.AssessmentObservationsSequence = seq(item(
        ObservationSignificance='MAJOR',
        ObservationDescription='Dose au tronc cérébral, dossier ' + pat.ipp.v,
        ObservationBasisCodeSequence=seq(code('OB1', '99LOCAL', 'Règle de ' + staff().full())),
        StructuredConstraintObservationSequence=seq(item(
            SelectorAttributeName='Patient Name', SelectorAttributeKeyword='PatientName',
            ConstraintType='EQUAL', SpecificationSelectionGuidance='Doit valoir ' + pat.p.pn(),
            ConstraintViolationSignificance='MAJOR', ConstraintViolationCondition='Nom différent de ' + pat.p.full()))))
    ds.AssessmentTypeCodeSequence = seq(code('130975', 'DCM', 'RT Plan Assessment'))
    trap(ds, 'AssessmentSummary', 'FAILED')
    save(ds, relpath(pat, ex, 'ASSESS', named), 'ele')


def tractography(pat, ex, named):
    ds = Dataset()
    base(ds, pat, ex, '1.2.840.10008.5.1.4.1.1.66.6', 'MR')
    ds.ContentLabel = pat.p.upper_cs()
    ds.ContentDescription = 'Faisceaux de ' + pat.p.full()
    ds.ContentCreatorName = staff().pn()
    ds.ContentDate = ex.date.da
    ds.ContentTime = '181818'
    ds.FrameOfReferenceUID = uid()
    ds.TrackSetSequence = seq(item(
        TrackSetNumber=1, TrackSetLabel='CST ' + pat.p.full(), TrackSetDescription='Tracé par ' + staff('Dr').full()
        + ' pour ' + ex.ref.full(),
        TrackSetAnatomicalTypeCodeSequence=seq(code('80321008', 'SCT', 'Corticospinal tract')),
        TrackSequence=seq(item(PointCoordinatesData=struct.pack('<6f', 0, 0, 0, 1, 1, 1))),
        RecommendedDisplayCIELabValue=[30000, 32768, 32768],
        TrackingAlgorithmIdentificationSequence=seq(item(AlgorithmFamilyCodeSequence=seq(code(
            '113211', 'DCM', 'Deterministic')), AlgorithmName='DSI de ' + staff().full(), AlgorithmVersion='2'))))
    ds.MeasurementUnitsCodeSequence = seq(code('mm', 'UCUM', 'mm'))
    trap(ds.TrackSetSequence[0], 'RecommendedDisplayCIELabValue', ['30000', '32768', '32768'])
    save(ds, relpath(pat, ex, 'TRACTO', named), 'ele')


def gsps(pat, ex, named):
    ds = Dataset()
    base(ds, pat, ex, '1.2.840.10008.5.1.4.1.1.11.1', 'PR')
    ds.ContentLabel = ex.ref.upper_cs()
    ds.ContentDescription = 'Annotations ' + ex.ref.full()
    ds.ContentCreatorName = ex.ref.pn()
    ds.PresentationCreationDate = ex.date.da
    ds.PresentationCreationTime = '191919'
    ds.GraphicLayerSequence = seq(item(GraphicLayer='NOTES_' + staff().upper_cs(), GraphicLayerOrder=1,
                                       GraphicLayerDescription='Calque de ' + staff().full()))
    ds.GraphicAnnotationSequence = seq(item(
        GraphicLayer=ds.GraphicLayerSequence[0].GraphicLayer,
        TextObjectSequence=seq(item(UnformattedTextValue='Mme ' + pat.p.sur + ' — à revoir avec ' + staff('Dr').full(),
                                    AnchorPointAnnotationUnits='PIXEL', AnchorPoint=[10.0, 10.0],
                                    AnchorPointVisibility='N', BoundingBoxAnnotationUnits='PIXEL',
                                    BoundingBoxTopLeftHandCorner=[1.0, 1.0], BoundingBoxBottomRightHandCorner=[50.0, 20.0],
                                    BoundingBoxTextHorizontalJustification='LEFT'))))
    ds.PresentationLUTShape = 'IDENTITY'
    trap(ds, 'PresentationLUTShape', 'IDENTITY')
    ds.DisplayedAreaSelectionSequence = seq(item(DisplayedAreaTopLeftHandCorner=[1, 1],
                                                 DisplayedAreaBottomRightHandCorner=[512, 512],
                                                 PresentationSizeMode='SCALE TO FIT'))
    save(ds, relpath(pat, ex, 'GSPS', named), 'ile')


def overlay_curve(pat, ex, named):
    ds = Dataset()
    base(ds, pat, ex, '1.2.840.10008.5.1.4.1.1.1', 'CR')
    geometry_traps(ds, 'CR')
    img(ds)
    w = staff()
    el(ds, 0x60000010, 'US', 16)
    el(ds, 0x60000011, 'US', 16)
    el(ds, 0x60000022, 'LO', 'Repères posés par ' + w.full())  # Overlay Description
    el(ds, 0x60000040, 'CS', 'G')
    el(ds, 0x60000050, 'SS', [1, 1])
    el(ds, 0x60000100, 'US', 1)
    el(ds, 0x60000102, 'US', 0)
    el(ds, 0x60001500, 'LO', pat.p.full())  # Overlay Label
    el(ds, 0x60004000, 'LT', 'Overlay de ' + ex.ref.full() + ' tél ' + ex.hosp.phone.v)  # retired Overlay Comments
    el(ds, 0x60003000, 'OW', bytes(32))
    el(ds, 0x60020010, 'US', 16)
    el(ds, 0x60020011, 'US', 16)
    el(ds, 0x60020022, 'LO', 'Mesure ' + DateId('date-other', 2018, 2021).fr())
    el(ds, 0x60020040, 'CS', 'R')
    el(ds, 0x60020050, 'SS', [1, 1])
    el(ds, 0x60020100, 'US', 1)
    el(ds, 0x60020102, 'US', 0)
    el(ds, 0x60023000, 'OW', bytes(32))
    # retired curve group
    el(ds, 0x50000005, 'US', 2)
    el(ds, 0x50000010, 'US', 2)
    el(ds, 0x50000020, 'CS', 'POLY')
    el(ds, 0x50000022, 'LO', 'Courbe de ' + staff().full())
    el(ds, 0x50000103, 'US', 0)
    el(ds, 0x50002500, 'LO', pat.ipp.v)  # Curve Label
    el(ds, 0x50003000, 'OW', struct.pack('<4H', 1, 2, 3, 4))
    el(ds, 0x00080025, 'DA', ex.date.da)  # retired Curve Date
    el(ds, 0x00080024, 'DA', ex.date.da)  # retired Overlay Date
    save(ds, relpath(pat, ex, 'CR_OVERLAY', named), 'ele')


def un_public(pat, ex, named):
    """public attributes stored with VR UN (gateway that lost the VRs)"""
    ds = Dataset()
    base(ds, pat, ex, '1.2.840.10008.5.1.4.1.1.7', 'OT')
    geometry_traps(ds, 'SC')
    img(ds, 8, 8, 8)
    def u(s):
        b = s.encode('latin-1')
        return b + (b' ' if len(b) % 2 else b'')
    el(ds, 0x00101001, 'UN', u(pat.mother.pn()))  # Other Patient Names
    el(ds, 0x00100033, 'UN', u(pat.birth.da))  # Patient's Birth Date in Alternative Calendar
    el(ds, 0x00080094, 'UN', u(ex.hosp.phone.v))  # Referring Physician's Telephone Numbers
    el(ds, 0x00101040, 'UN', u(pat.addr.v))  # Patient's Address
    el(ds, 0x00102297, 'UN', u(staff().pn()))  # Responsible Person
    el(ds, 0x00321033, 'UN', u(ex.hosp.dept.v))  # Requesting Service
    el(ds, 0x00401104, 'UN', u('mailto:' + ex.hosp.email(staff()).v))  # Person's Telecom Information
    # Other Patient IDs Sequence as UN: undefined length, implicit VR LE items
    def imp(tag, val):
        b = val.encode('latin-1')
        b += b' ' * (len(b) % 2)
        return struct.pack('<HHI', tag >> 16, tag & 0xffff, len(b)) + b
    it = imp(0x00100020, pat.nir.v) + imp(0x00100022, 'TEXT') + imp(0x00100021, 'INSEE')
    sqb = struct.pack('<HHI', 0xFFFE, 0xE000, len(it)) + it  # pydicom appends the sequence delimiter
    de = DataElement(0x00101002, 'UN', sqb)
    ds.add(de)
    el(ds, 0x00400275, 'UN', u('') if False else imp(0x00401001, ex.acc.v) and (
        struct.pack('<HHI', 0xFFFE, 0xE000, 0xFFFFFFFF) + imp(0x00401001, ex.acc.v) + imp(0x00321060, 'Radio de ' + ex.ref.full())
        + struct.pack('<HHI', 0xFFFE, 0xE00D, 0)))
    ds['RequestAttributesSequence'].is_undefined_length = True
    ds['OtherPatientIDsSequence'].is_undefined_length = True
    save(ds, relpath(pat, ex, 'SC_UN', named), 'ele')


def jpeg_frame(k, com=None, app=None, tail=b''):
    from PIL import Image
    im = Image.new('L', (16, 16))
    im.putdata([(i * (k + 3)) % 256 for i in range(256)])
    b = io.BytesIO()
    im.save(b, 'JPEG', quality=90)
    j = b.getvalue()
    ins = b''
    if app:
        ins += b'\xff\xe1' + struct.pack('>H', len(app) + 2) + app
    if com:
        ins += b'\xff\xfe' + struct.pack('>H', len(com) + 2) + com
    j = j[:2] + ins + j[2:] + tail
    return j + (b'\x00' if len(j) % 2 else b'')


def items(frags):
    return b''.join(struct.pack('<HHI', 0xFFFE, 0xE000, len(f)) + f for f in frags)


def jpeg_multiframe(pat, ex, named, eot=False):
    ds = Dataset()
    base(ds, pat, ex, '1.2.840.10008.5.1.4.1.1.3.1', 'US')
    trap(ds, 'UltrasoundColorDataPresent', '0')
    ds.Rows = 16
    ds.Columns = 16
    ds.SamplesPerPixel = 1
    ds.PhotometricInterpretation = 'MONOCHROME2'
    ds.BitsAllocated = 8
    ds.BitsStored = 8
    ds.HighBit = 7
    ds.PixelRepresentation = 0
    ds.NumberOfFrames = 3
    ds.LossyImageCompression = '01'
    trap(ds, 'FrameTime', '%.1f' % (33.3 + len(REG.files) * 0.1))
    s = staff()
    f0 = jpeg_frame(0, com=('Echo ' + pat.p.full()).encode('latin-1'))
    f1 = jpeg_frame(1, app=b'Exif\x00\x00' + ('Artist=' + s.full()).encode('latin-1'))
    f2 = jpeg_frame(2, tail=('\x00' + pat.ipp.v).encode('latin-1'))
    frames = [f0, f1, f2]
    if not eot:
        # basic offset table; frame 1 split across two fragments
        h = len(f1) // 2 & ~1
        fr1 = [f1[:h], f1[h:]]
        offs = [0, 8 + len(f0), 8 + len(f0) + 16 + len(f1)]
        bot = struct.pack('<3I', *offs)
        pix = items([bot, f0] + fr1 + [f2])
    else:
        pix = items([b''] + frames)
        offs = [0, 8 + len(f0), 16 + len(f0) + len(f1)]
        ds.ExtendedOffsetTable = struct.pack('<3Q', *offs)
        ds.ExtendedOffsetTableLengths = struct.pack('<3Q', *[len(f) for f in frames])
    ds.PixelData = pix  # pydicom appends the sequence delimiter
    ds['PixelData'].VR = 'OB'
    ds['PixelData'].is_undefined_length = True
    save(ds, relpath(pat, ex, 'ECHO_EOT' if eot else 'ECHO_BOT', named), 'jpeg')


def charset_file(pat, ex, named, cs):
    ds = Dataset()
    base(ds, pat, ex, '1.2.840.10008.5.1.4.1.1.7', 'OT', more=False)
    geometry_traps(ds, 'SC')
    img(ds, 8, 8, 8)
    p = pat.p
    p.id.v
    if cs == 'jp':
        kata = {'ケルバ': 1}
        syl = ['ケ', 'ル', 'バ', 'ネ', 'ク', 'ド', 'ラ', 'ミ', 'ゴ', 'ヴ', 'ペ', 'ト']
        k1 = ''.join(R.choice(syl) for _ in range(4))
        k2 = ''.join(R.choice(syl) for _ in range(3))
        ph = Id(REG, 'patient-name-phonetic', k1 + '^' + k2, word=[wordn(k1 + ' ' + k2)],
                bh=[k1.encode('iso2022_jp')[3:-3].hex()])
        ds.SpecificCharacterSet = ['ISO 2022 IR 6', 'ISO 2022 IR 87']
        ds.PatientName = p.pn5() + '=' + ph.v + '=' + ph.v
        w = staff('Dr')
        ds.InstitutionName = ex.hosp.name.v
        ds.StudyDescription = 'CT ' + w.full()
    elif cs == 'gb':
        han = R.choice(['陈', '柯', '蓝', '贝']) + R.choice(['美琳', '佩蓉', '小龙', '文静', '晓梅'])
        ide = Id(REG, 'patient-name-ideographic', han, word=[wordn(han[0] + ' ' + han[1:])],
                 bh=[han[1:].encode('gb18030').hex()])
        ds.SpecificCharacterSet = 'GB18030'
        val = (p.pn5() + '=' + ide.v[0] + '^' + ide.v[1:] + '=').encode('gb18030')
        el(ds, 0x00100010, 'PN', val + (b' ' if len(val) % 2 else b''))
        inst = ('%s 影像科' % ex.hosp.name.v).encode('gb18030')
        el(ds, 0x00080080, 'LO', inst + (b' ' if len(inst) % 2 else b''))
        op = ex.op
        v = (op.pn() + '=' + '欧' + '^' + '蕾').encode('gb18030')
        el(ds, 0x00081070, 'PN', v + (b' ' if len(v) % 2 else b''))
    elif cs == 'iso2022cn':
        han = R.choice(['郑', '罗', '许']) + R.choice(['丽华', '国强', '海燕'])
        ide = Id(REG, 'patient-name-ideographic', han, word=[wordn(han[0] + ' ' + han[1:])],
                 bh=[han[1:].encode('gb2312').hex()])
        ds.SpecificCharacterSet = ['ISO 2022 IR 6', 'ISO 2022 IR 58']
        g = lambda s: b'\x1b$)A' + s.encode('gb2312')
        val = p.pn().encode() + b'=' + g(ide.v[0]) + b'^' + g(ide.v[1:]) + b'=' 
        el(ds, 0x00100010, 'PN', val + (b' ' if len(val) % 2 else b''))
        ds.InstitutionName = ex.hosp.name.v.encode('latin-1', 'replace') if False else norm(ex.hosp.name.v).upper()
        ex.hosp.name.v
    elif cs == 'utf8':
        ds.SpecificCharacterSet = 'ISO_IR 192'
        kor = R.choice(['케르바넥', '르구아직', '펜무알'])
        ide = Id(REG, 'patient-name-phonetic', kor, word=[wordn(kor)], bh=[kor.encode('utf-8').hex()])
        ds.PatientName = p.pn5() + '=' + ide.v + '^' + 'イヴォンヌ' + '=' + ide.v
        ds.InstitutionName = ex.hosp.name.v
        ds.PatientComments = 'Née à ' + pat.town + ' ; mère ' + pat.mother.full() + ' ; ' + pat.addr.v
        ds.OperatorsName = [ex.op.pn5(), staff().pn5()]
    elif cs == 'latin9':
        ds.SpecificCharacterSet = 'ISO_IR 203'
        s9 = fresh(lambda: R.choice(['Lœ', 'Cœ', 'Kœ', 'Vœ', 'Bœ']) + R.choice(MID) + R.choice(SUF))
        nm = Id(REG, 'patient-name', s9 + '^' + p.given, word=[wordn(s9)])
        pn = (nm.v + '^' + p.middle + '^' + ('Mme' if p.female else 'M.') + '^').encode('iso8859_15')
        el(ds, 0x00101001, 'PN', pn + (b' ' if len(pn) % 2 else b''))  # Other Patient Names (maiden name with œ)
        ds.PatientName = p.pn()
        w = staff()
        w9 = fresh(lambda: R.choice(['Œ', 'Bœ', 'Sœ']) + R.choice(MID) + R.choice(SUF))
        sn = Id(REG, 'staff-name', w9, word=[wordn(w9)])
        t = ('Injection 150 € payée ; technicien ' + sn.v + ' ; ' + w.full()).encode('iso8859_15')
        el(ds, 0x00204000, 'LT', t + (b' ' if len(t) % 2 else b''))
        t2 = ex.hosp.name.v.encode('iso8859_15')
        el(ds, 0x00080080, 'LO', t2 + (b' ' if len(t2) % 2 else b''))
    save(ds, relpath(pat, ex, 'CHARSET_' + cs.upper(), named), 'ele')


def file_meta_file(pat, ex, named):
    ds = Dataset()
    base(ds, pat, ex, '1.2.840.10008.5.1.4.1.1.7', 'OT')
    geometry_traps(ds, 'SC')
    img(ds, 8, 8, 8)
    ivn = Id(REG, 'implementation-name', (ex.hosp.ae.value[:4] + 'PACS' + fresh_digits(3))[:16], word=[])
    ivn.needles['word'] = [wordn(ivn.value)]
    priv = ('<site>%s</site><user>%s</user><ipp>%s</ipp>' % (ex.hosp.name.v, staff().full(), pat.ipp.v)).encode('utf-8')
    meta = {'SourceApplicationEntityTitle': ex.hosp.ae.v,
            'SendingApplicationEntityTitle': ('ST_' + pat.p.upper_cs())[:16],
            'ReceivingApplicationEntityTitle': 'ARCHIVE',
            'PrivateInformationCreatorUID': '1.2.250.1.59.9.%s' % ex.hosp.finess.v,
            'PrivateInformation': ob_text(priv)}
    rel = relpath(pat, ex, 'META', named)
    def post(data):
        return data
    ds.file_meta_override = None
    save(ds, rel, 'ele', meta_extra=meta)
    # implementation version name is set after the fact (save() writes a default one)
    p = os.path.join(OUT, 'corpus', rel)
    d = pydicom.dcmread(p)
    d.file_meta.ImplementationVersionName = ivn.value
    d.save_as(p, write_like_original=False)
    REG.uses.setdefault(ivn.id, set()).add(rel)


def group_length_padding(pat, ex, named):
    """group length elements, odd-length values (patched), trailing padding with text"""
    ds = Dataset()
    base(ds, pat, ex, '1.2.840.10008.5.1.4.1.1.2', 'CT')
    geometry_traps(ds, 'CT')
    img(ds, 8, 8)
    el(ds, 0x00080000, 'UL', 0)
    el(ds, 0x00100000, 'UL', 0)
    el(ds, 0x00200000, 'UL', 0)
    nick = Id(REG, 'patient-name', 'Mémé ' + surname(), word=[])
    nick.needles['word'] = [wordn(nick.value.split(' ', 1)[1])]
    el(ds, 0x00102180, 'SH', 'X' * 15)  # Occupation: placeholder, patched to an odd length value
    pad = ('%s|%s|%s' % (pat.p.full(), pat.nir.v, ex.hosp.name.v)).encode('latin-1')
    ds.DataSetTrailingPadding = ob_text(b'\x00' * 8 + pad)
    occ = nick.v
    if len(occ) > 15:
        occ = occ.split(' ', 1)[1]
    if len(occ) % 2 == 0:
        occ += '.'
    occ = occ.encode('latin-1')
    def post(data):
        # make (0010,2180) an odd-length value: length field 15, no pad byte
        i = data.find(b'\x10\x00\x80\x21SH')
        ln = struct.unpack('<H', data[i + 6:i + 8])[0]
        newv = occ
        nd = data[:i] + b'\x10\x00\x80\x21SH' + struct.pack('<H', len(newv)) + newv + data[i + 8 + ln:]
        return fix_group_lengths(nd)
    save(ds, relpath(pat, ex, 'GROUPLEN', named), 'ele', post=post)


def fix_group_lengths(data):
    """recompute (gggg,0000) for the explicit LE data set (top level only)."""
    i = 132
    # skip meta
    glen = struct.unpack('<I', data[i + 8:i + 12])[0]
    i = i + 12 + glen
    els = []
    while i < len(data):
        g, e = struct.unpack('<HH', data[i:i + 4])
        vr = data[i + 4:i + 6]
        if vr in (b'OB', b'OW', b'SQ', b'UN', b'UT', b'OF', b'UC', b'UR', b'OD', b'OL', b'OV'):
            ln = struct.unpack('<I', data[i + 8:i + 12])[0]
            hl = 12
        else:
            ln = struct.unpack('<H', data[i + 6:i + 8])[0]
            hl = 8
        if ln == 0xFFFFFFFF:
            raise RuntimeError('undefined length not supported here')
        els.append((g, e, i, hl + ln))
        i += hl + ln
    out = bytearray(data)
    for g, e, pos, size in els:
        if e == 0:
            tot = sum(s for (g2, e2, p2, s) in els if g2 == g and e2 != 0)
            out[pos + 8:pos + 12] = struct.pack('<I', tot)
    return bytes(out)


def der(tag, body):
    n = len(body)
    if n < 128:
        return bytes([tag, n]) + body
    lb = n.to_bytes((n.bit_length() + 7) // 8, 'big')
    return bytes([tag, 0x80 | len(lb)]) + lb + body


def fake_cert(cn, org, email):
    def rdn(oid, val, t=0x0c):
        return der(0x31, der(0x30, der(0x06, oid) + der(t, val.encode('utf-8'))))
    name = der(0x30, rdn(b'\x55\x04\x06', 'FR', 0x13) + rdn(b'\x55\x04\x0a', org) + rdn(b'\x55\x04\x03', cn)
               + rdn(b'\x2a\x86\x48\x86\xf7\x0d\x01\x09\x01', email, 0x16))
    tbs = der(0x30, der(0xa0, der(0x02, b'\x02')) + der(0x02, b'\x01\x23') +
              der(0x30, der(0x06, b'\x2a\x86\x48\x86\xf7\x0d\x01\x01\x0b') + b'\x05\x00') + name +
              der(0x30, der(0x17, b'240101000000Z') + der(0x17, b'270101000000Z')) + name)
    return der(0x30, tbs + der(0x30, der(0x06, b'\x2a\x86\x48\x86\xf7\x0d\x01\x01\x0b') + b'\x05\x00')
               + der(0x03, b'\x00' + bytes(64)))


def signed_file(pat, ex, named):
    ds = Dataset()
    base(ds, pat, ex, '1.2.840.10008.5.1.4.1.1.1.2', 'MG')
    geometry_traps(ds, 'MG')
    img(ds, 8, 8)
    trap(ds, 'ViewPosition', 'MLO')
    rad = staff('Dr')
    cert = fake_cert(rad.full(), ex.hosp.name.v, ex.hosp.email(rad).v)
    sig = item(MACIDNumber=1, DigitalSignatureUID=uid(), DigitalSignatureDateTime=ex.date.dt('+0100'),
               CertificateType='X509_1993_SIG', CertificateOfSigner=cert, Signature=bytes(64))
    ds.MACParametersSequence = seq(item(MACIDNumber=1, MACCalculationTransferSyntaxUID='1.2.840.10008.1.2.1',
                                        MACAlgorithm='SHA256', DataElementsSigned=[0x00100010]))
    ds.DigitalSignaturesSequence = seq(sig)
    ds.OriginalAttributesSequence = seq(item(
        AttributeModificationDateTime=ex.date.dt(), ModifyingSystem='PACS ' + ex.hosp.ae.v,
        SourceOfPreviousValues=ex.hosp.name.v, ReasonForTheAttributeModification='CORRECT',
        ModifiedAttributesSequence=seq(item(PatientName=pat.mother.pn(), PatientID=pat.nir.v))))
    save(ds, relpath(pat, ex, 'MAMMO_SIGNED', named), 'ele')


def dicomdir_set(pat, ex):
    """DICOMDIR + two referenced files; directory and file ID components carry the patient name"""
    folder = 'EXPORT_CD_%s' % pat.p.upper_cs()
    comp1 = pat.p.upper_cs().replace('_', '')[:8]
    comp2 = 'E' + ex.date.da[2:]
    refs = []
    for k in range(2):
        ds = Dataset()
        base(ds, pat, ex, '1.2.840.10008.5.1.4.1.1.7', 'OT')
        geometry_traps(ds, 'SC')
        img(ds, 8, 8, 8)
        rel = '%s/DICOM/%s/%s/IM%06d' % (folder, comp1, comp2, k + 1)
        pat.p.id.v
        ex.date.da
        save(ds, rel, 'ele')
        refs.append((rel, ds.SOPInstanceUID, ds.SOPClassUID))
    # DICOMDIR built with pydicom's FileSet machinery would rename files; write records by hand
    dd = Dataset()
    dd.SpecificCharacterSet = 'ISO_IR 100'
    dd.FileSetID = pat.p.upper_cs()
    dd.FileSetDescriptorFileID = ['README']
    dd.SpecificCharacterSetOfFileSetDescriptorFile = 'ISO_IR 100'
    dd.OffsetOfTheFirstDirectoryRecordOfTheRootDirectoryEntity = 0
    dd.OffsetOfTheLastDirectoryRecordOfTheRootDirectoryEntity = 0
    dd.FileSetConsistencyFlag = 0
    recs = []
    pr = item(OffsetOfTheNextDirectoryRecord=0, RecordInUseFlag=0xFFFF, OffsetOfReferencedLowerLevelDirectoryEntity=0,
              DirectoryRecordType='PATIENT', PatientName=pat.p.pn(), PatientID=pat.ipp.v,
              PatientBirthDate=pat.birth.da, PatientSex=pat.sex)
    private_block(pr, 0x0009, 0x10, 'AGFA_CD_EXPORT', [(0x01, 'LO', pat.phone.v), (0x02, 'LO', ex.hosp.name.v)])
    recs.append(pr)
    recs.append(item(OffsetOfTheNextDirectoryRecord=0, RecordInUseFlag=0xFFFF, OffsetOfReferencedLowerLevelDirectoryEntity=0,
                     DirectoryRecordType='STUDY', StudyDate=ex.date.da, StudyTime='101010', StudyDescription='Examen '
                     + ex.ref.full(), StudyInstanceUID=uid(), StudyID='1', AccessionNumber=ex.acc.v))
    recs.append(item(OffsetOfTheNextDirectoryRecord=0, RecordInUseFlag=0xFFFF, OffsetOfReferencedLowerLevelDirectoryEntity=0,
                     DirectoryRecordType='SERIES', Modality='OT', SeriesInstanceUID=uid(), SeriesNumber='1',
                     InstitutionName=ex.hosp.name.v))
    for rel, sopi, sopc in refs:
        parts = rel.split('/')[1:]
        recs.append(item(OffsetOfTheNextDirectoryRecord=0, RecordInUseFlag=0xFFFF,
                         OffsetOfReferencedLowerLevelDirectoryEntity=0, DirectoryRecordType='IMAGE',
                         ReferencedFileID=parts, ReferencedSOPClassUIDInFile=sopc,
                         ReferencedSOPInstanceUIDInFile=sopi, ReferencedTransferSyntaxUIDInFile='1.2.840.10008.1.2.1',
                         InstanceNumber='1'))
    dd.DirectoryRecordSequence = Sequence(recs)
    fm = FileMetaDataset()
    fm.MediaStorageSOPClassUID = '1.2.840.10008.1.3.10'
    fm.MediaStorageSOPInstanceUID = uid()
    fm.TransferSyntaxUID = TS['ele']
    fm.ImplementationClassUID = '1.2.826.0.1.3680043.10.543.1'
    fm.SourceApplicationEntityTitle = ex.hosp.ae.v
    dd.file_meta = fm
    dd.is_little_endian = True
    dd.is_implicit_VR = False
    rel = '%s/DICOMDIR' % folder
    p = os.path.join(OUT, 'corpus', rel)
    bio = io.BytesIO()
    pydicom.dcmwrite(bio, dd, write_like_original=False)
    data = bytearray(bio.getvalue())
    # fix offsets: find the item starts of the records (explicit LE, defined-length items)
    starts = []
    k = data.find(b'\x04\x00\x00\x14UL')
    while k >= 0:
        starts.append(k - 8)  # each record item starts with (0004,1400)
        k = data.find(b'\x04\x00\x00\x14UL', k + 1)
    assert len(starts) == len(recs), (len(starts), len(recs))
    # root: PATIENT; lower: STUDY -> SERIES -> IMAGE1, IMAGE1.next -> IMAGE2
    def setul(recpos, tag, val):
        k = data.find(struct.pack('<HH', tag >> 16, tag & 0xffff) + b'UL', recpos)
        data[k + 8:k + 12] = struct.pack('<I', val)
    setul(starts[0], 0x00041420, starts[1])
    setul(starts[1], 0x00041420, starts[2])
    setul(starts[2], 0x00041420, starts[3])
    setul(starts[3], 0x00041400, starts[4])
    k = data.find(b'\x04\x00\x00\x12UL')
    data[k + 8:k + 12] = struct.pack('<I', starts[0])
    k = data.find(b'\x04\x00\x02\x12UL')
    data[k + 8:k + 12] = struct.pack('<I', starts[0])
    with open(p, 'wb') as f:
        f.write(bytes(data))
    REG._traps_cur = []
    REG.done(rel)
    # the folder name carries the patient name: the referenced files are planted there too
    for rr in [r[0] for r in refs]:
        REG.uses.setdefault(pat.p.id.id, set()).add(rr)


def pet(pat, ex, named, ts='ele'):
    """PET: radiopharmaceutical, contributing equipment, window presets and protocol codes
    named after people, UIDs built from the IPP, an IPP split across values, a CSA-like header"""
    ds = Dataset()
    base(ds, pat, ex, '1.2.840.10008.5.1.4.1.1.128', 'PT')
    geometry_traps(ds, 'PT')
    img(ds, 8, 8, be=(ts == 'ebe'))
    ds.SOPInstanceUID = '1.2.250.1.59.%s.%s.%d' % (pat.ipp.v, ex.date.da, R.randrange(1, 999))
    ds.FrameOfReferenceUID = '1.2.250.1.59.4.%s.%s' % (ex.hosp.finess.v, ex.date.da)
    ipp = pat.ipp.v
    ds.OtherPatientIDs = [ipp[:len(ipp) // 2], ipp[len(ipp) // 2:]]
    tel = ex.hosp.phone.v.split(' ')
    ds.ReferringPhysicianTelephoneNumbers = [' '.join(tel[:3]), ' '.join(tel[3:])]
    prep = staff()
    ds.RadiopharmaceuticalInformationSequence = seq(item(
        Radiopharmaceutical='FDG lot %s préparé par %s' % (fresh_digits(5), prep.full()),
        RadiopharmaceuticalStartDateTime=ex.date.dt('+0100'),
        RadiopharmaceuticalStopDateTime=ex.date.dt('+0100'),
        RadionuclideTotalDose='%d' % (180000000 + len(REG.files)), RadionuclideHalfLife='6586.2',
        RadionuclidePositronFraction='0.97',
        RadionuclideCodeSequence=seq(code('C-111A1', 'SRT', '^18^Fluorine'))))
    trap(ds.RadiopharmaceuticalInformationSequence[0], 'RadionuclideHalfLife', '6586.2')
    ds.Units = 'BQML'
    trap(ds, 'Units', 'BQML')
    ds.ContributingEquipmentSequence = seq(item(
        Manufacturer='Siemens', InstitutionName=ex.hosp.name.v, StationName=ex.hosp.ae.v,
        InstitutionalDepartmentName=ex.hosp.dept.v, OperatorsName=staff().pn(),
        ContributionDateTime=ex.date.dt('+0100'), ContributionDescription='Recon par ' + staff().full(),
        PurposeOfReferenceCodeSequence=seq(code('109102', 'DCM', 'Processing Equipment'))))
    w = staff('Dr')
    ds.WindowCenter = ['40', '400']
    ds.WindowWidth = ['350', '1500']
    ds.WindowCenterWidthExplanation = ['MEDIASTIN', 'PRESET_' + w.upper_cs()]
    voi = item(LUTExplanation='Courbe de ' + w.full())
    el(voi, 0x00283002, 'US', [4, 0, 16])
    el(voi, 0x00283006, 'US', [0, 100, 200, 300])
    ds.VOILUTSequence = seq(voi)
    ds.PerformedProtocolCodeSequence = seq(code('TEPCORPS', '99CHU', 'TEP corps entier protocole ' + staff('Dr').full()))
    ds.ProcedureCodeSequence = seq(code('ZZQK002', 'CCAM', 'Scintigraphie (' + ex.ref.full() + ')'))
    ds.ScheduledProcedureStepSequence = seq(item(ScheduledPerformingPhysicianName=staff().pn(),
                                                 ScheduledStationAETitle=ex.hosp.ae.v,
                                                 ScheduledProcedureStepStartDate=ex.date.da))
    el(ds, 0x00189517, 'DT', ex.date.dt('-0300'))  # Start Acquisition DateTime
    el(ds, 0x00189518, 'DT', ex.date.dt('+1400'))  # End Acquisition DateTime
    prot = staff('Dr')
    csa = (b'SV10\x04\x03\x02\x01' + struct.pack('<II', 1, 77) +
           ('### ASCCONV BEGIN ###\ntProtocolName = "TEP_%s"\nsSiteInfo.tInstitution = "%s"\n'
            'sPatInfo.tPatientID = "%s"\n### ASCCONV END ###\n' % (prot.upper_cs(), ex.hosp.name.v, pat.ipp.v)).encode('latin-1'))
    private_block(ds, 0x0029, 0x10, 'SIEMENS CSA HEADER', [(0x20, 'OB', ob_text(csa))])
    save(ds, relpath(pat, ex, 'TEP_' + ts.upper(), named), ts)


def sr_item_charset(pat, ex, named, ts='ele'):
    """Basic Text SR whose content items switch character set (item-level Specific Character Set)"""
    ds = Dataset()
    base(ds, pat, ex, '1.2.840.10008.5.1.4.1.1.88.11', 'SR')
    ds.ContentDate = ex.date.da
    ds.ContentTime = '101112'
    ds.ValueType = 'CONTAINER'
    ds.ConceptNameCodeSequence = seq(code('18748-4', 'LN', 'Diagnostic Imaging Report'))
    ds.ContinuityOfContent = 'SEPARATE'
    ds.CompletionFlag = 'COMPLETE'
    ds.VerificationFlag = 'UNVERIFIED'
    ds.ReferencedPerformedProcedureStepSequence = seq()
    ds.PerformedProcedureCodeSequence = seq()
    a = staff('Dr')
    b = staff('Pr')
    it1 = Dataset()
    it1.SpecificCharacterSet = 'ISO_IR 192'
    it1.RelationshipType = 'CONTAINS'
    it1.ValueType = 'TEXT'
    it1.ConceptNameCodeSequence = seq(code('121071', 'DCM', 'Finding'))
    it1.TextValue = ('Patiente adressée par %s (%s) ; domicile %s ; né·e le %s' % (
        a.full(), ex.hosp.name.v, pat.addr.v, pat.birth.fr()))
    it2 = Dataset()
    it2.SpecificCharacterSet = ['ISO 2022 IR 6', 'ISO 2022 IR 87']
    it2.RelationshipType = 'HAS OBS CONTEXT'
    it2.ValueType = 'PNAME'
    it2.ConceptNameCodeSequence = seq(code('121008', 'DCM', 'Person Observer Name'))
    it2.PersonName = b.pn5() + '=' + 'ヴェ^ル=ヴェ^ル'
    it3 = Dataset()
    it3.SpecificCharacterSet = 'ISO_IR 100'
    it3.RelationshipType = 'CONTAINS'
    it3.ValueType = 'CONTAINER'
    it3.ContinuityOfContent = 'SEPARATE'
    it3.ConceptNameCodeSequence = seq(code('121070', 'DCM', 'Findings'))
    t4 = ('Avis de %s, tél %s, le %s' % (staff('Dr').full(), ex.hosp.phone.v, ex.date.fr())).encode('iso8859_15')
    it4 = Dataset()
    it4.SpecificCharacterSet = 'ISO_IR 203'
    it4.RelationshipType = 'CONTAINS'
    it4.ValueType = 'TEXT'
    it4.ConceptNameCodeSequence = seq(code('121106', 'DCM', 'Comment'))
    el(it4, 0x0040A160, 'UT', t4 + (b' ' if len(t4) % 2 else b''))
    it3.ContentSequence = seq(it4)
    ds.ContentSequence = seq(it1, it2, it3)
    save(ds, relpath(pat, ex, 'SR_CHARSETS', named), ts)


# --------------------------------------------------------------------------

def validate(outdir):
    bad = []
    for root, dirs, fs in os.walk(os.path.join(outdir, 'corpus')):
        for f in fs:
            p = os.path.join(root, f)
            try:
                d = pydicom.dcmread(p)
                for _ in d.iterall():
                    pass
            except Exception as ex:
                bad.append((p, 'pydicom: %r' % ex))
            r = subprocess.run(['dcmdump', '-q', p], capture_output=True, text=True, errors='replace')
            if r.returncode != 0 or 'E:' in r.stderr or 'E: ' in r.stdout:
                bad.append((p, 'dcmdump rc %d: %s' % (r.returncode, (r.stderr + r.stdout)[:300])))
    return bad


def main(argv):
    global OUT, R
    import argparse
    ap = argparse.ArgumentParser()
    ap.add_argument('outdir')
    ap.add_argument('--seed', type=int, default=20241205)
    ap.add_argument('--no-validate', action='store_true')
    a = ap.parse_args(argv)
    OUT = a.outdir
    R.seed(a.seed)
    if os.path.exists(os.path.join(OUT, 'corpus')):
        import shutil
        shutil.rmtree(os.path.join(OUT, 'corpus'))
    os.makedirs(os.path.join(OUT, 'corpus'), exist_ok=True)
    for _ in range(8):
        HOSP.append(Hospital())
    for _ in range(20):
        PATS.append(Patient())
    scen = [sc_implicit, ct_bigendian, mr_deflated, mr_enhanced, ophthalmic, opt, derm_vl, mammo_cad_sr,
            key_object, rt_ion_plan, rt_record, registration, lambda p, e, n: registration(p, e, n, True),
            rwv, parametric_map, segmentation, surface_seg, ecg, raw_data,
            lambda p, e, n: encap_doc(p, e, n, 'cda'), lambda p, e, n: encap_doc(p, e, n, 'stl'),
            lambda p, e, n: encap_doc(p, e, n, 'obj'), lambda p, e, n: encap_doc(p, e, n, 'mtl'),
            spectroscopy, hanging_protocol, palette, content_assessment, tractography, gsps, overlay_curve,
            un_public, jpeg_multiframe, lambda p, e, n: jpeg_multiframe(p, e, n, True),
            lambda p, e, n: charset_file(p, e, n, 'jp'), lambda p, e, n: charset_file(p, e, n, 'gb'),
            lambda p, e, n: charset_file(p, e, n, 'iso2022cn'), lambda p, e, n: charset_file(p, e, n, 'utf8'),
            lambda p, e, n: charset_file(p, e, n, 'latin9'),
            file_meta_file, group_length_padding, signed_file,
            sc_implicit, ct_bigendian, mr_deflated, mr_enhanced, derm_vl, mammo_cad_sr, key_object, segmentation,
            ecg, gsps, overlay_curve, un_public, hanging_protocol, palette, rt_record, signed_file,
            pet, lambda p, e, n: pet(p, e, n, 'ebe'), sr_item_charset, lambda p, e, n: sr_item_charset(p, e, n, 'defl')]
    for k, fn in enumerate(scen):
        REG.begin()
        pat = PATS[k % len(PATS)]
        ex = Exam(R.choice(HOSP))
        fn(pat, ex, k % 3 == 1)
    REG.begin()
    dicomdir_set(PATS[3], Exam(HOSP[2]))
    idents = []
    for i in REG.ids:
        fs = sorted(REG.uses.get(i.id, ()))
        if not fs:
            continue
        idents.append({'id': i.id, 'category': i.cat, 'value': i.value, 'needles': i.needles, 'files': fs})
    planted = {'corpus': 'dicom-r3', 'seed': a.seed, 'files': REG.files, 'identifiers': idents,
               'traps': REG.traps}
    with open(os.path.join(OUT, 'planted.json'), 'w', encoding='utf-8') as f:
        json.dump(planted, f, indent=1, ensure_ascii=False)
    cats = {}
    for i in idents:
        cats[i['category']] = cats.get(i['category'], 0) + 1
    print('files %d, identifiers %d, traps %d' % (len(REG.files), len(idents), len(REG.traps)), file=sys.stderr)
    print('categories: ' + ', '.join('%s %d' % kv for kv in sorted(cats.items())), file=sys.stderr)
    if not a.no_validate:
        bad = validate(OUT)
        for b in bad:
            print('INVALID', *b, file=sys.stderr)
        if bad:
            return 1
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
