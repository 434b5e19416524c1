"""The RTF control words the text reader knows: destinations to skip, separators, font charsets."""

from __future__ import annotations

# Groups whose content is not the document's text (the RTF 1.9.1 destinations, as striprtf lists
# them so that the two agree on ordinary files). Every {\\* ...} group is skipped as well.
DESTINATIONS = frozenset(
    b"""
    aftncn aftnsep aftnsepc annotation atnauthor atndate atnicn atnid atnparent atnref atntime
    atrfend atrfstart author background bkmkend bkmkstart blipuid buptim category colorschememapping
    colortbl comment company creatim datafield datastore defchp defpap do doccomm docvar dptxbxtext
    ebcend ebcstart factoidname falt fchars ffdeftext ffentrymcr ffexitmcr ffformat ffhelptext ffl
    ffname ffstattext file filetbl fldinst fldtype fname fontemb fontfile fonttbl footer footerf
    footerl footerr footnote formfield ftncn ftnsep ftnsepc g generator gridtbl header headerf
    headerl headerr hl hlfr hlinkbase hlloc hlsrc hsv htmltag info keycode keywords latentstyles
    lchars levelnumbers leveltext lfolevel linkval list listlevel listname listoverride
    listoverridetable listpicture liststylename listtable lsdlockedexcept macc maccPr mailmerge maln
    malnScr manager margPr mbar mbarPr mbaseJc mbegChr mborderBox mborderBoxPr mbox mboxPr mchr
    mcount mctrlPr md mdPr mdeg mdegHide mden mdiff me mendChr meqArr meqArrPr mf mfName mfPr mfunc
    mfuncPr mgroupChr mgroupChrPr mgrow mhideBot mhideLeft mhideRight mhideTop mhtmltag mlim mlimloc
    mlimlow mlimlowPr mlimupp mlimuppPr mm mmPr mmaddfieldname mmath mmathPict mmathPr mmaxdist mmc
    mmcJc mmcPr mmconnectstr mmconnectstrdata mmcs mmdatasource mmheadersource mmmailsubject mmodso
    mmodsofilter mmodsofldmpdata mmodsomappedname mmodsoname mmodsorecipdata mmodsosort mmodsosrc
    mmodsotable mmodsoudl mmodsoudldata mmodsouniquetag mmquery mmr mnary mnaryPr mnoBreak mnum
    moMath moMathPara moMathParaPr mobjDist mopEmu mphant mphantPr mplcHide mpos mr mrPr mrad mradPr
    msPre msPrePr msSub msSubPr msSubSup msSubSupPr msSup msSupPr msepChr mshow mshp mstrikeBLTR
    mstrikeH mstrikeTLBR mstrikeV msub msubHide msup msupHide mtransp mtype mvertJc mvfmf mvfml
    mvtof mvtol mzeroAsc mzeroDesc mzeroWid nesttableprops nextfile nonesttables objalias objclass
    objdata object objname objsect objtime oldcprops oldpprops oldsprops oldtprops oleclsid operator
    panose password passwordhash pgp pgptbl picprop pict pn pnseclvl pntext pntxta pntxtb printim
    private propname protend protstart protusertbl pxe result revtbl revtim rsidtbl rxe shp shpgrp
    shpinst shppict shprslt shptxt sn sp staticval stylesheet subject sv svb tc template themedata
    title txe ud upr userprops wgrffmtfilter windowcaption writereservation writereservhash xe xform
    xmlattrname xmlattrvalue xmlclose xmlname xmlnstbl xmlopen
    """.split()
)

# Control words that stand for text. Table cells and rows separate words as paragraphs do.
SYMBOLS = {
    b"par": "\n", b"line": "\n", b"sect": "\n\n", b"page": "\n\n", b"row": "\n", b"cell": " ",
    b"nestcell": " ", b"nestrow": "\n", b"tab": "\t", b"emdash": "\u2014", b"endash": "\u2013",
    b"emspace": "\u2003",
    b"enspace": "\u2002", b"qmspace": "\u2005", b"bullet": "\u2022", b"lquote": "\u2018", b"rquote": "\u2019",
    b"ldblquote": "\u201c", b"rdblquote": "\u201d",
}  # fmt: skip
# Control symbols: a backslash and one character that is not a letter.
ESCAPES = {
    b"~": "\xa0",
    b"_": "\u2011",
    b"-": "",
    b"{": "{",
    b"}": "}",
    b"\\": "\\",
    b"\n": "\n",
    b"\r": "\n",
}

# \fcharsetN -> the code page of that font's \'xx bytes (0 and 1: the document's \ansicpg).
CHARSETS = {
    2: "cp1252", 77: "mac_roman", 78: "shift_jis", 79: "big5", 80: "euc_kr", 81: "mac_arabic",
    82: "cp1255", 83: "mac_greek", 84: "mac_cyrillic", 85: "gb2312", 86: "mac_romanian",
    87: "mac_cyrillic", 88: "cp874", 89: "mac_latin2", 128: "cp932", 129: "cp949", 130: "johab",
    134: "gbk", 136: "cp950", 161: "cp1253", 162: "cp1254", 163: "cp1258", 177: "cp1255",
    178: "cp1256", 186: "cp1257", 204: "cp1251", 222: "cp874", 238: "cp1250", 254: "cp437",
    255: "cp850",
}  # fmt: skip
DOCUMENT_PAGES = {b"ansi": "cp1252", b"mac": "mac_roman", b"pc": "cp437", b"pca": "cp850"}
