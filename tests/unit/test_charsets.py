"""Legacy encodings: samples cut between characters, names that decode the text, EBCDIC refused."""

# ruff: noqa: E501  (lines of CJK text are measured in display width)
from __future__ import annotations

import pathlib

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.errors import CONTENT_MISMATCH, JobError
from core.settings import Limits
from tests.builders import expected_counts
from worker.extract.charsets import SAMPLE_BYTES
from worker.extract.txt import analyze_txt

LIMITS = Limits()
WORDS = {
    "shift_jis": "吾輩 は 猫 である 名前 は まだ 無い どこで 生れた か とんと 見当 が つかぬ 何でも 薄暗い 所 で "
    "ニャーニャー 泣いて いた 事 だけ は 記憶 している 東京 大阪 新聞 天気 予報 「はい」 、 。",
    "euc_kr": "대한민국은 민주공화국이다 주권은 국민에게 있고 모든 권력은 국민으로부터 나온다 서울 부산 "
    "학교 선생님 오늘 날씨가 좋습니다 감사합니다 , .",
    "gb18030": "中华人民共和国 是 工人阶级 领导 的 以 工农联盟 为 基础 的 人民民主专政 社会主义 国家 北京 "
    "上海 天气 很好 谢谢 你们 ， 。",
    "big5": "中華民國 基於 三民主義 為 民有 民治 民享 之 民主共和國 臺北 高雄 今天 天氣 很好 謝謝 你們 ， 。",
    "cp1251": "Привет мир как дела Всё хорошо спасибо Москва погода сегодня хорошая «цитата» — ёжик Ъ",
    "koi8_r": "Привет мир как дела Всё хорошо спасибо Москва погода сегодня хорошая ёжик ЪЫЬ",
    "cp1252": "Der Bär läuft über die Straße „schön“ sagt er – heute früh gehört Größe Mädchen Äpfel "
    "Öl Übung müssen können 5 € weiß",
}
SEPARATORS = st.sampled_from([" ", " ", " ", "\n", "\r\n", "\t", "  "])


def write(path: pathlib.Path, data: bytes) -> pathlib.Path:
    path.write_bytes(data)
    return path


def decodes_the_same(data: bytes, encoding: str, text: str) -> bool:
    try:
        return data.decode(encoding) == text
    except UnicodeDecodeError:
        return False


def text_cut_inside_a_character(tmp_path: pathlib.Path, encoding: str, line: str) -> tuple[pathlib.Path, str]:
    """Text in `encoding` whose byte SAMPLE_BYTES - 1 (the 32,768th) starts a two-byte character."""
    for pad in range(8):
        text = "x" * pad + line * (2 * SAMPLE_BYTES // len(line.encode(encoding)) + 1)
        data = text.encode(encoding)
        if not decodes(data[:SAMPLE_BYTES], encoding) and decodes(data[: SAMPLE_BYTES + 1], encoding):
            return write(tmp_path / "cut.txt", data), text
    raise AssertionError("no padding puts a lead byte at the edge")


def decodes(data: bytes, encoding: str) -> bool:
    try:
        data.decode(encoding)
    except UnicodeDecodeError:
        return False
    return True


@pytest.mark.parametrize(
    ("encoding", "line", "names"),
    [
        ("shift_jis", "吾輩は猫である。名前はまだ無い。どこで生れたかとんと見当がつかぬ。\n", {"shift-jis", "cp932"}),
        ("cp932", "①吾輩は猫である。名前はまだ無い。ｶﾀｶﾅ　どこで生れたかとんと見当がつかぬ。\n", {"cp932"}),
        ("euc_kr", "대한민국은 민주공화국이다. 대한민국의 주권은 국민에게 있고, 모든 권력은 국민으로부터 나온다.\n",
         {"euc-kr", "cp949"}),
        ("gb18030", "中华人民共和国是工人阶级领导的、以工农联盟为基础的人民民主专政的社会主义国家。\n",
         {"gb2312", "gbk", "gb18030"}),
        ("big5", "中華民國基於三民主義，為民有民治民享之民主共和國。\n", {"big5", "cp950"}),
    ],
)  # fmt: skip  # noqa: E501
def test_cjk_text_whose_sample_ends_inside_a_character(
    tmp_path: pathlib.Path, encoding: str, line: str, names: set[str]
) -> None:
    path, text = text_cut_inside_a_character(tmp_path, encoding, line)
    result = analyze_txt(path, LIMITS)
    assert result["encoding"] in names
    assert result == {**expected_counts(text), "encoding": result["encoding"]}


@pytest.mark.parametrize(
    ("text", "encoding", "names"),
    [
        ("El niño pidió café y jamón; señor, ¿qué año es? Mañana iré a España con mi compañía.\n", "latin-1",
         {"cp1252"}),
        ("Zażółć gęślą jaźń. Polska jest krajem w Europie Środkowej, a jej stolicą jest Warszawa. Język "
         "polski należy do grupy języków zachodniosłowiańskich.\n", "iso8859_2", {"iso8859-2", "cp1250"}),
        ("Příliš žluťoučký kůň úpěl ďábelské ódy. Dobrý den, jak se máte? Děkuji, mám se dobře.\n", "cp1250",
         {"cp1250"}),
        ("שלום עולם, מה שלומך היום? תודה רבה, הכול בסדר. ירושלים ותל אביב הן ערים גדולות.\n", "iso8859_8",
         {"iso8859-8", "cp1255"}),
        ("Γεια σου κόσμε, τι κάνεις σήμερα; Ευχαριστώ πολύ, όλα καλά. Η Αθήνα είναι μεγάλη πόλη.\n", "cp1253",
         {"cp1253", "iso8859-7"}),
        ("Съешь же ещё этих мягких французских булок, да выпей чаю. Москва столица России.\n", "koi8_r",
         {"koi8-r"}),
    ],
)  # fmt: skip
def test_legacy_text_is_named_by_an_encoding_that_reads_it(
    tmp_path: pathlib.Path, text: str, encoding: str, names: set[str]
) -> None:
    text = text * 600  # past the sample, so the second region is read too
    path = write(tmp_path / "legacy.txt", text.encode(encoding))
    result = analyze_txt(path, LIMITS)
    assert result["encoding"] in names
    assert decodes_the_same(path.read_bytes(), result["encoding"], text)


@pytest.mark.parametrize("encoding", ["cp037", "cp424", "cp500", "cp1140"])
@pytest.mark.parametrize("repeat", [1, 2_000])
def test_ebcdic_text_is_refused_whatever_its_code_page(
    tmp_path: pathlib.Path, encoding: str, repeat: int
) -> None:
    text = "Hello world, this is a plain EBCDIC text file with some words.\n"
    if encoding == "cp424":
        text = "שלום עולם מה שלומך היום תודה רבה הכול בסדר EBCDIC\n"
    path = write(tmp_path / "ebcdic.txt", (text * repeat).encode(encoding))
    with pytest.raises(JobError) as error:
        analyze_txt(path, LIMITS)
    assert error.value.code == CONTENT_MISMATCH
    assert "EBCDIC" in error.value.message


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(encoding=st.sampled_from(sorted(WORDS)), data=st.data(), offset=st.integers(0, 7))
def test_any_text_longer_than_the_sample_decodes_to_itself(
    tmp_path: pathlib.Path, encoding: str, data: st.DataObject, offset: int
) -> None:
    # Text, not noise: at least ten different words of the language (one word repeated is ambiguous
    # between Big5 and GB2312 by nature), in any order, spaced any way, cut anywhere.
    vocabulary = WORDS[encoding].split()
    words = data.draw(st.permutations(vocabulary))[: data.draw(st.integers(10, len(vocabulary)))]
    separators = data.draw(st.lists(SEPARATORS, min_size=len(words), max_size=len(words)))
    unit = "".join(word + separator for word, separator in zip(words, separators, strict=True))
    text = "." * offset + unit * (2 * SAMPLE_BYTES // len(unit.encode(encoding)) + 2)
    raw = text.encode(encoding)
    result = analyze_txt(write(tmp_path / "any.txt", raw), LIMITS)
    assert decodes_the_same(raw, result["encoding"], text), result["encoding"]
    assert result == {**expected_counts(text), "encoding": result["encoding"]}


def test_short_repeated_lines_rich_in_symbols_are_read(tmp_path: pathlib.Path) -> None:
    # Found by the property above: with five chunks the chaos score of this text swung past 0.4.
    unit = "Der heute läuft Mädchen\n€\r\nBär früh 5\r\ner\r\nmüssen\r\n"
    text = unit * (2 * SAMPLE_BYTES // len(unit.encode("cp1252")) + 2)
    raw = text.encode("cp1252")
    result = analyze_txt(write(tmp_path / "symbols.txt", raw), LIMITS)
    assert decodes_the_same(raw, result["encoding"], text), result["encoding"]
    assert result["words"] == len(text.split())
