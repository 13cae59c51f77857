"""Personal data: field encryption, lookup hashes (blind indexes), ID-number checks and masking.

Personal data (applicant ID numbers, phone numbers, reporters' identities) is stored apart from
the public record, encrypted field by field with `PersonalDataCipher`, and masked wherever it is
shown to someone who does not need it (docs/architecture.md, "Personal data": `张**`, `110101********1234`,
`138****1234`, address to the village or community, bank account never). Every read of it by
staff is written to the audit log (`shared.audit.record_read`).

Encrypted values ("tokens") look like `v1:3f2a9c01:<base64url>`:
- `v1`: the format; `3f2a9c01`: the key id, the first 4 bytes (hex) of SHA-256 over a label and
  the key, so a key needs no configured name and the id reveals nothing usable about it;
- `<base64url>` (no padding): a random 96-bit nonce followed by the AES-256-GCM ciphertext and tag.
The associated data is `v1:` + a context naming the field and record (for example
`requests.applicant.id_number:42`): a token copied to another field or record fails to decrypt.

Key rotation: put the new key in `pii_key` and the old one in `pii_previous_keys`. New values are
written with the new key; old ones still decrypt (the key id in the token picks the key); a job
may re-encrypt them with `PersonalDataCipher.rotate` and then drop the old key. The blind-index
key is not rotated that way: changing it means recomputing every index from the decrypted values.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Literal

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from shared.calendar import SHANGHAI
from shared.settings import decode_key

if TYPE_CHECKING:
    from shared.settings import ServiceSettings

VERSION = "v1"
KEY_BYTES = 32
NONCE_BYTES = 12
_KID_LABEL = b"gongkai pii key id\x00"


class PersonalDataError(ValueError):
    """A key or token that cannot be used."""


class DecryptionError(PersonalDataError):
    """The token was altered, belongs to another field or record, or its key is not configured."""


def key_id(key: bytes) -> str:
    """The 8-hex-digit id a token carries to name the key that encrypted it."""
    return hashlib.sha256(_KID_LABEL + key).hexdigest()[:8]


def _b64encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b64decode(text: str) -> bytes:
    if not re.fullmatch(r"[A-Za-z0-9_-]*", text):
        raise binascii.Error("not base64url")
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class PersonalDataCipher:
    """AES-256-GCM per value (random nonce, context as associated data) plus HMAC blind indexes."""

    def __init__(self, key: bytes, blind_key: bytes, *, previous_keys: Sequence[bytes] = ()) -> None:
        for name, value in [("key", key), ("blind_key", blind_key)] + [
            ("previous key", k) for k in previous_keys
        ]:
            if not isinstance(value, bytes) or len(value) != KEY_BYTES:
                raise PersonalDataError(f"{name} must be {KEY_BYTES} bytes")
        if blind_key == key or blind_key in previous_keys:
            raise PersonalDataError("the blind-index key must differ from the encryption keys")
        self._kid = key_id(key)
        raw: dict[str, bytes] = {}
        for candidate in [key, *previous_keys]:
            kid = key_id(candidate)
            if raw.setdefault(kid, candidate) != candidate:
                raise PersonalDataError(f"two keys share the key id {kid}: generate another key")
        self._keys = {kid: AESGCM(value) for kid, value in raw.items()}
        self._blind_key = blind_key

    @property
    def key_id(self) -> str:
        """Id of the key new values are encrypted with."""
        return self._kid

    @staticmethod
    def _aad(context: str) -> bytes:
        if not context:
            raise PersonalDataError("a context naming the field and record is required")
        return f"{VERSION}:{context}".encode()

    def encrypt(self, plaintext: str, *, context: str) -> str:
        nonce = os.urandom(NONCE_BYTES)
        sealed = self._keys[self._kid].encrypt(nonce, plaintext.encode("utf-8"), self._aad(context))
        return f"{VERSION}:{self._kid}:{_b64encode(nonce + sealed)}"

    @staticmethod
    def _parse(token: str) -> tuple[str, bytes]:
        parts = token.split(":") if isinstance(token, str) else []
        if len(parts) != 3 or parts[0] != VERSION or not re.fullmatch(r"[0-9a-f]{8}", parts[1]):
            raise DecryptionError("not a personal-data token (expected v1:<key id>:<data>)")
        try:
            blob = _b64decode(parts[2])
        except (binascii.Error, ValueError):
            raise DecryptionError("personal-data token is not valid base64url") from None
        if len(blob) < NONCE_BYTES + 16:
            raise DecryptionError("personal-data token is too short")
        return parts[1], blob

    def key_id_of(self, token: str) -> str:
        return self._parse(token)[0]

    def decrypt(self, token: str, *, context: str) -> str:
        kid, blob = self._parse(token)
        aead = self._keys.get(kid)
        if aead is None:
            raise DecryptionError(
                f"personal-data token was encrypted with key {kid}, which is not configured"
            )
        try:
            plain = aead.decrypt(blob[:NONCE_BYTES], blob[NONCE_BYTES:], self._aad(context))
        except InvalidTag:
            raise DecryptionError(
                f"personal-data token does not decrypt for context {context!r}: altered or misplaced"
            ) from None
        return plain.decode("utf-8")

    def needs_rotation(self, token: str) -> bool:
        """True when the token was written with a previous key."""
        return self.key_id_of(token) != self._kid

    def rotate(self, token: str, *, context: str) -> str:
        """The token re-encrypted with the current key (unchanged when it already is)."""
        if not self.needs_rotation(token):
            return token
        return self.encrypt(self.decrypt(token, context=context), context=context)

    def blind_index(self, value: str, *, kind: str) -> str:
        """HMAC-SHA256 (hex) of `kind` and the normalised value: equal values, equal indexes.

        Kinds with their own normalisation: `id_number` (see `normalize_resident_id`) and
        `phone` (digits only, without a +86 / 0086 prefix); any other kind: NFKC, trimmed,
        whitespace collapsed, case-folded. The kind is part of the input, so indexes of
        different kinds never match.
        """
        if not kind or "\x00" in kind:
            raise PersonalDataError("blind_index needs a kind")
        normalized = _BLIND_NORMALIZERS.get(kind, _normalize_text)(value)
        message = kind.encode() + b"\x00" + normalized.encode("utf-8")
        return hmac.new(self._blind_key, message, hashlib.sha256).hexdigest()


def from_settings(settings: ServiceSettings) -> PersonalDataCipher:
    """The cipher of a process from `pii_key`, `pii_blind_key` and `pii_previous_keys` (base64)."""
    return PersonalDataCipher(
        decode_key(settings.pii_key),
        decode_key(settings.pii_blind_key),
        previous_keys=[decode_key(value) for value in settings.pii_previous_keys],
    )


# --- normalisation and validation ------------------------------------------------------------------


def _normalize_text(value: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", value).split()).casefold()


def normalize_resident_id(number: str) -> str:
    """Full-width digits to ASCII, whitespace removed, `x` upper-cased (no validation)."""
    return "".join(unicodedata.normalize("NFKC", number).split()).upper()


def normalize_phone(phone: str) -> str:
    """Digits only; a mobile number loses its +86 / 0086 / 86 prefix."""
    digits = "".join(ch for ch in unicodedata.normalize("NFKC", phone) if ch.isdigit())
    for prefix in ("0086", "86"):
        if digits.startswith(prefix) and len(digits) == len(prefix) + 11 and digits[len(prefix)] == "1":
            return digits[len(prefix) :]
    return digits


_BLIND_NORMALIZERS = {"id_number": normalize_resident_id, "phone": normalize_phone}

# GB 11643-1999: weights 2^(17-i) mod 11 of ISO 7064 MOD 11-2.
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_SHAPE = re.compile(r"[1-68][0-9]{16}[0-9X]")
EARLIEST_BIRTH_DATE = date(1900, 1, 1)


def resident_id_check_digit(first17: str) -> str:
    """The check character (0-9 or X) of the first 17 digits of a resident ID number."""
    if not re.fullmatch(r"[0-9]{17}", first17):
        raise ValueError("need exactly 17 ASCII digits")
    total = sum(int(digit) * weight for digit, weight in zip(first17, _ID_WEIGHTS, strict=True))
    return "10X98765432"[total % 11]


def validate_resident_id(number: str, *, today: date | None = None) -> bool:
    """An 18-character PRC resident ID number (公民身份号码, GB 11643).

    After `normalize_resident_id`: a region code starting 1-6 (mainland) or 8 (residence
    permits of Hong Kong, Macao and Taiwan residents), a real birth date from 1900-01-01 to
    today (Asia/Shanghai), a 3-digit sequence and the MOD 11-2 check character.
    """
    if not isinstance(number, str):
        return False
    value = normalize_resident_id(number)
    if not _ID_SHAPE.fullmatch(value):
        return False
    try:
        born = date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return False
    if today is None:
        today = datetime.now(SHANGHAI).date()
    if not EARLIEST_BIRTH_DATE <= born <= today:
        return False
    return resident_id_check_digit(value[:17]) == value[17]


# --- masking -----------------------------------------------------------------------------------------

NOT_PUBLISHED = "（不公开）"


def mask_id_number(number: str, *, show_prefix: int = 6, show_suffix: int = 4) -> str:
    """ID number with the middle starred: `110101********1234` (first 6, last 4).

    The default is the form of published lists (region code shown, birth date hidden;
    docs/architecture.md, "Personal data"); `show_prefix=3` gives the shorter `110***********1234`
    (the county hidden too). A 15-digit (first-generation)
    number shows at most its last 3 so that no birth-date digit remains. When nothing would
    be hidden, everything is.
    """
    value = normalize_resident_id(number)
    if len(value) == 15:
        show_suffix = min(show_suffix, 3)
    hidden = len(value) - show_prefix - show_suffix
    if show_prefix < 0 or show_suffix < 0 or hidden <= 0:
        return "*" * len(value)
    return value[:show_prefix] + "*" * hidden + value[len(value) - show_suffix :]


_MOBILE = re.compile(r"(?P<cc>(?:\+|00)?86[ -]?)?(?P<head>1[0-9]{2})[ -]?[0-9]{4}[ -]?(?P<tail>[0-9]{4})")
_LANDLINE = re.compile(
    r"(?P<area>\(?0(?:10|2[0-9]|[3-9][0-9]{2})\)?)(?P<sep>[ -]?)(?P<local>[0-9]{7,8})"
    r"(?P<ext>(?:[ -]|转|ext\.?|x)[0-9]{1,6})?",
    re.IGNORECASE,
)


def mask_email(email: str) -> str:
    """`z***@example.org`: the first letter and the domain."""
    local, at, domain = email.partition("@")
    return f"{local[:1]}***{at}{domain}"


def mask_phone(phone: str) -> str:
    """Mobile `138****1234` (a +86 prefix kept); landline `0571-****1234` (area code and last 4).

    Anything else: every digit but the last 4 starred (all of them when fewer than 7).
    """
    value = unicodedata.normalize("NFKC", phone).strip()
    if m := _MOBILE.fullmatch(value):
        return f"{m['cc'] or ''}{m['head']}****{m['tail']}"
    if m := _LANDLINE.fullmatch(value):
        local = m["local"]
        return f"{m['area']}{m['sep']}{'*' * (len(local) - 4)}{local[-4:]}{m['ext'] or ''}"
    digits = sum(ch.isdigit() for ch in value)
    keep = 4 if digits >= 7 else 0
    out, seen = [], 0
    for ch in value:
        if ch.isdigit():
            seen += 1
            out.append(ch if seen > digits - keep else "*")
        else:
            out.append(ch)
    return "".join(out)


COMPOUND_SURNAMES = frozenset(
    "欧阳 司马 诸葛 上官 东方 皇甫 令狐 司徒 慕容 尉迟 公孙 长孙 宇文 夏侯 轩辕 端木 独孤 南宫 西门 "
    "百里 呼延 万俟 闻人 澹台 公冶 太史 申屠 钟离 赫连 拓跋 淳于 司空 濮阳 鲜于 闾丘 东郭 仲孙 "
    "公羊 左丘 子车 亓官 羊舌 微生 梁丘 公良 乐正 漆雕 壤驷 谷梁 宰父 拓拔 第五".split()
)
_NAME_SEPARATORS = "·•・. -"


def mask_name(name: str) -> str:
    """Surname kept, the rest starred: `张**`, `欧阳**` (two-character surnames are recognised).

    A two-character name is always surname + given name (`欧阳` → `欧*`). Names with a
    separator (`阿依古丽·买买提`, Latin names) keep their first character and separators.
    """
    value = unicodedata.normalize("NFKC", name).strip()
    if not value:
        return ""
    if any(ch in _NAME_SEPARATORS for ch in value):
        return value[0] + "".join(ch if ch in _NAME_SEPARATORS else "*" for ch in value[1:])
    surname = value[:2] if len(value) > 2 and value[:2] in COMPOUND_SURNAMES else value[:1]
    return surname + "*" * max(1, len(value) - len(surname))


_COMMUNITY = re.compile(r"村民委员会|居民委员会|村委会|居委会|社区|小区|嘎查|村")
# A house number, building, unit, room or villagers' group: finer than a village or community.
_ADDRESS_DETAIL = re.compile(r"[0-9０-９一二三四五六七八九十百零〇]+\s*(?:号|栋|幢|单元|室|楼|组|弄|排|户)")
_ADMIN_LEVELS = (r"街道|镇|乡|苏木", r"区|县|旗", r"市|州|盟|省")


def mask_address(address: str) -> str:
    """The address down to the village or community: `东湖县城关镇幸福村…`.

    Cut after the first 村 / 社区 / 居委会 / 小区 (and the like). Without one, or when a house
    number comes before it, cut after the last town, sub-district (街道), district or county,
    or city before any house number. Nothing recognisable: `（不公开）`.
    """
    value = address.strip()
    detail = _ADDRESS_DETAIL.search(value)
    head = value[: detail.start()] if detail else value
    cut: int | None = None
    if m := _COMMUNITY.search(head):
        cut = m.end()
    else:
        for level in _ADMIN_LEVELS:
            found = list(re.finditer(level, head))
            if found:
                cut = found[-1].end()
                break
    if cut is None:
        return NOT_PUBLISHED
    return value[:cut] + ("…" if value[cut:].strip() else "")


def mask_bank_account(_account: object = None) -> str:
    """Bank accounts are never published."""
    return NOT_PUBLISHED


_IN_TEXT = re.compile(
    r"(?<![\dA-Za-z])(?:"
    r"(?P<id18>[1-68]\d{5}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dXxＸｘ])"
    r"|(?P<id15>[1-68]\d{7}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3})"
    r"|(?P<account>\d{16,19}|\d{4}(?: \d{4}){3}(?: \d{1,4})?)"
    r"|(?P<mobile>(?:(?:\+|00)?86[ -]?)?1[3-9]\d(?:[ -]?\d{4}){2})"
    r")(?![\dA-Za-z])"
)


def mask_text(text: str) -> str:
    """Free text (a reply to be published) with personal numbers masked.

    Resident ID numbers (18 and 15 digits) as `mask_id_number`, mobile numbers as `mask_phone`,
    runs of 16-19 digits (bank cards and accounts) as `（不公开）`. Landlines are left alone
    (replies quote office numbers); names and addresses cannot be found reliably in free text
    and must be masked by whoever writes it.
    """

    def replace(m: re.Match[str]) -> str:
        if m["id18"] or m["id15"]:
            return mask_id_number(m[0])
        if m["account"]:
            return NOT_PUBLISHED
        return mask_phone(m[0])

    return _IN_TEXT.sub(replace, text)


# --- finding personal data before publication ---------------------------------------------------------


def luhn_valid(digits: str) -> bool:
    """The Luhn (ISO/IEC 7812) check that bank card numbers carry in their last digit."""
    if not digits.isdigit():
        return False
    total = 0
    for position, ch in enumerate(reversed(digits)):
        value = int(ch)
        if position % 2:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


PersonalDataKind = Literal["id_number", "mobile", "bank_card", "name"]
PERSONAL_DATA_KINDS: dict[PersonalDataKind, str] = {
    "id_number": "身份证号",
    "mobile": "手机号码",
    "bank_card": "银行卡号",
    "name": "姓名",
}


@dataclass(frozen=True, slots=True)
class Finding:
    """Personal data found in a text: its kind, where it is (character offsets) and its masked form."""

    kind: PersonalDataKind
    start: int
    end: int
    masked: str

    @property
    def label(self) -> str:
        return PERSONAL_DATA_KINDS[self.kind]


def find_personal_data(text: str, *, today: date | None = None) -> list[Finding]:
    """18-digit resident ID numbers that pass their check (GB 11643), mobile numbers and bank card
    numbers that pass the Luhn check, anywhere in `text`, and names in the name column of 公示
    lists (`find_names_in_lists`) (docs/architecture.md, "Personal data").

    Already masked values (`110105********1234`, `138****0000`) are not found again. An 18-digit
    number that fails the ID check but passes Luhn is a bank card; a run of 16-19 digits that
    fails Luhn is left alone (statistics, serial numbers). 15-digit first-generation ID numbers
    carry no check digit and are not looked for.
    """
    found: list[Finding] = find_names_in_lists(text)
    for m in _IN_TEXT.finditer(text):
        value = m[0]
        digits = "".join(ch for ch in value if ch.isdigit())
        if m["id18"] and validate_resident_id(value, today=today):
            found.append(Finding("id_number", m.start(), m.end(), mask_id_number(value)))
        elif (m["id18"] or m["account"]) and 16 <= len(digits) <= 19 and luhn_valid(digits):
            found.append(Finding("bank_card", m.start(), m.end(), mask_bank_account(value)))
        elif m["mobile"]:
            found.append(Finding("mobile", m.start(), m.end(), mask_phone(value)))
    return sorted(found, key=lambda f: f.start)


# 公示 lists name people in a column headed 姓名 (or 户主, 申请人…), in an HTML table or in text
# lines split by tabs, bars or runs of spaces; or as "姓名：张三".
_NAME_HEADER = re.compile(
    r"^(?:户主|申请人|救助对象|补助对象|受助人|获奖人|拟录用人员|拟聘人员)?(?:姓名|名字)$|^(?:户主|申请人)$"
)
_PERSON_NAME = re.compile(r"[\u4e00-\u9fff][\u4e00-\u9fff·•]{1,5}")
_LABELLED_NAME = re.compile(
    r"(?:户主|申请人)?姓\s*名\s*[:：]\s*(?P<name>[\u4e00-\u9fff][\u4e00-\u9fff·•]{1,5})"
)
# Commas are not column separators: prose under a header line would be read as a list.
_CELL_SPLIT = re.compile(r"\s*(?:\t|\||｜)\s*| {2,}|\u3000+")
_NOT_NAMES = frozenset("合计 小计 总计 备注 以下空白 空白 无".split())
_HTML_ROW = re.compile(r"<tr\b[^>]*>(?P<row>.*?)</tr\s*>", re.IGNORECASE | re.DOTALL)
_HTML_CELL = re.compile(r"<t[dh]\b[^>]*>(?P<cell>.*?)</t[dh]\s*>", re.IGNORECASE | re.DOTALL)
_HTML_TABLE = re.compile(r"<table\b.*?</table\s*>", re.IGNORECASE | re.DOTALL)
_TAGS = re.compile(r"<[^>]*>")


def _name_finding(text: str, start: int, end: int) -> Finding | None:
    """A finding when text[start:end] (trimmed) is an unmasked personal name."""
    cell = text[start:end]
    stripped = cell.strip()
    if not stripped or stripped in _NOT_NAMES or not _PERSON_NAME.fullmatch(stripped):
        return None
    offset = start + cell.index(stripped)
    return Finding("name", offset, offset + len(stripped), mask_name(stripped))


def _cells(line: str) -> list[tuple[int, int]]:
    """(start, end) of each cell of a text line split by the list separators."""
    out, last = [], 0
    for m in _CELL_SPLIT.finditer(line):
        out.append((last, m.start()))
        last = m.end()
    out.append((last, len(line)))
    return [(a, b) for a, b in out if line[a:b].strip()]


def find_names_in_lists(text: str) -> list[Finding]:
    """Unmasked names in the name column of 公示 lists (HTML tables and text lines with a header
    cell 姓名 / 户主 / 申请人…) and after a "姓名：" label. Free prose is not searched for names:
    they cannot be told from other words reliably."""
    found: dict[int, Finding] = {}
    for m in _LABELLED_NAME.finditer(text):
        if hit := _name_finding(text, m.start("name"), m.end("name")):
            found[hit.start] = hit
    # Text lines: a header line, then the rows below it until a blank line or a line with one cell.
    column: int | None = None
    position = 0
    for line in text.splitlines(keepends=True):
        body = line.rstrip("\r\n")
        cells = _cells(body)
        if len(cells) < 2:
            column = None
        else:
            headers = [i for i, (a, b) in enumerate(cells) if _NAME_HEADER.match(body[a:b].strip())]
            if headers:
                column = headers[0]
            elif column is not None and column < len(cells):
                a, b = cells[column]
                if hit := _name_finding(text, position + a, position + b):
                    found[hit.start] = hit
        position += len(line)
    # HTML tables: the column whose header cell names people.
    for table in _HTML_TABLE.finditer(text):
        column = None
        for row in _HTML_ROW.finditer(text, table.start(), table.end()):
            html_cells = list(_HTML_CELL.finditer(text, row.start("row"), row.end("row")))
            labels = [_TAGS.sub("", c["cell"]).strip() for c in html_cells]
            headers = [i for i, label in enumerate(labels) if _NAME_HEADER.match(label)]
            if headers:
                column = headers[0]
            elif column is not None and column < len(html_cells):
                cell = html_cells[column]
                if not _TAGS.search(cell["cell"]):
                    if hit := _name_finding(text, cell.start("cell"), cell.end("cell")):
                        found[hit.start] = hit
    return sorted(found.values(), key=lambda f: f.start)


def mask_findings(text: str, findings: Sequence[Finding]) -> str:
    """`text` with each finding replaced by its masked form (`find_personal_data` order)."""
    out, last = [], 0
    for finding in sorted(findings, key=lambda f: f.start):
        out.append(text[last : finding.start])
        out.append(finding.masked)
        last = finding.end
    out.append(text[last:])
    return "".join(out)
