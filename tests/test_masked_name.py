"""The applicant's name as others may read it has one home, `services.requests.service.masked_name`
(over `shared.personal_data.mask_name`): a natural person's is masked, an organisation's is not."""

from __future__ import annotations

import os

import pytest

from services.requests.models import ApplicantType, Application, IdType
from services.requests.service import applicant_of, masked_name
from shared.personal_data import PersonalDataCipher

CIPHER = PersonalDataCipher(os.urandom(32), os.urandom(32))


def _application(applicant_type: ApplicantType, name: str) -> Application:
    tracking_no = "GK2025000001"

    def enc(field: str, value: str) -> str:
        return CIPHER.encrypt(value, context=f"requests.application.{field}:{tracking_no}")

    return Application(
        tracking_no=tracking_no,
        applicant_type=str(applicant_type),
        applicant_name=enc("applicant_name", name),
        id_type=str(IdType.RESIDENT_ID),
        id_number=enc("id_number", "110101199003071234"),
        phone=enc("phone", "13800001234"),
    )


@pytest.mark.parametrize(
    ("applicant_type", "name", "shown"),
    [
        (ApplicantType.NATURAL_PERSON, "张三丰", "张**"),
        (ApplicantType.NATURAL_PERSON, "欧阳修文", "欧阳**"),
        (ApplicantType.COMMERCIAL_ENTERPRISE, "某某科技有限公司", "某某科技有限公司"),
    ],
)
def test_masked_name_masks_a_natural_person_only(
    applicant_type: ApplicantType, name: str, shown: str
) -> None:
    application = _application(applicant_type, name)
    assert masked_name(application, CIPHER) == shown
    assert applicant_of(application, CIPHER, masked=True).name == shown
    assert applicant_of(application, CIPHER, masked=False).name == name
