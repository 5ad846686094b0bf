"""Code validators: real UAIs and SIRETs, corrupted ones."""

import pytest

from cmq import codes
from cmq.errors import CodeInvalide

UAI_REELS = ["0312696M", "0592926K", "0590010R", "0693734J", "0352318E", "0692165D"]


@pytest.mark.parametrize("uai", UAI_REELS)
def test_uai_reels_valides(uai):
    assert codes.normaliser_uai(uai) == uai
    assert codes.normaliser_uai(f" {uai[:4]} {uai[4:].lower()} ") == uai


def test_uai_lettre_attendue_dans_le_message():
    with pytest.raises(CodeInvalide, match="« A », « M » attendue"):
        codes.normaliser_uai("0312696A")


@pytest.mark.parametrize("mauvais", ["", "   ", "031269M", "03126960M", "A312696M", "0312696I", "03126 96"])
def test_uai_malformes(mauvais):
    assert not codes.est_uai(mauvais)
    with pytest.raises(CodeInvalide, match="UAI"):
        codes.normaliser_uai(mauvais)
