package dev.kjump.gdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class RspTest {
    @Test
    void checksumIsTheByteSumModulo256() {
        assertThat(Rsp.checksum("")).isZero();
        assertThat(Rsp.checksum("OK")).isEqualTo(('O' + 'K') & 0xFF);
        assertThat(Rsp.checksum("qSupported")).isEqualTo(0x37);
    }

    @Test
    void framesWithDollarHashAndTwoHexDigits() {
        assertThat(Rsp.string(Rsp.frame("OK"), 0, 6)).isEqualTo("$OK#9a");
        assertThat(Rsp.string(Rsp.frame(""), 0, 4)).isEqualTo("$#00");
    }

    @Test
    void escapesTheFourSpecialBytesInFramesAndChecksumsTheEscapedForm() {
        byte[] f = Rsp.frame("a#b$c}d*e");
        String s = Rsp.string(f, 0, f.length);
        assertThat(s).startsWith("$a}\u0003b}\u0004c}]d}\ne#");
        String body = s.substring(1, s.lastIndexOf('#'));
        assertThat(s.substring(s.length() - 2)).isEqualTo(String.format("%02x", Rsp.checksum(body)));
    }

    @Test
    void unescapeUndoesEscape() {
        byte[] data = new byte[256];
        for (int i = 0; i < 256; i++) {
            data[i] = (byte) i;
        }
        byte[] esc = Rsp.escape(data);
        assertThat(esc.length).isEqualTo(256 + 4);
        assertThat(Rsp.unescape(esc, 0, esc.length)).isEqualTo(data);
        assertThatThrownBy(() -> Rsp.unescape(new byte[] {'a', '}'}, 0, 2)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void hexForms() {
        assertThat(Rsp.hex(new byte[] {0, (byte) 0xAB, 0x7F})).isEqualTo("00ab7f");
        assertThat(Rsp.unhex("00AB7f")).containsExactly(0, 0xAB, 0x7F);
        assertThat(Rsp.hexLe32(0x12345678)).isEqualTo("78563412");
        assertThat(Rsp.unhexLe32("78563412")).isEqualTo(0x12345678);
        assertThat(Rsp.parseHex("400050")).isEqualTo(0x400050L);
        assertThat(Rsp.parseHex("ffffffff")).isEqualTo(0xFFFFFFFFL);
        assertThatThrownBy(() -> Rsp.unhex("abc")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Rsp.unhex("zz")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Rsp.parseHex("")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Rsp.parseHex("12g")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Rsp.unhexLe32("1234")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void targetDescriptionIsWellFormedXmlWithTheI386CoreRegistersInOrder() throws Exception {
        String xml = TargetDescription.xml();
        javax.xml.parsers.DocumentBuilderFactory f = javax.xml.parsers.DocumentBuilderFactory.newInstance();
        f.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
        org.w3c.dom.Document d = f.newDocumentBuilder().parse(new java.io.ByteArrayInputStream(xml.getBytes("UTF-8")));
        assertThat(d.getElementsByTagName("architecture").item(0).getTextContent()).isEqualTo("i386");
        org.w3c.dom.Element feature = (org.w3c.dom.Element) d.getElementsByTagName("feature").item(0);
        assertThat(feature.getAttribute("name")).isEqualTo("org.gnu.gdb.i386.core");
        org.w3c.dom.NodeList regs = d.getElementsByTagName("reg");
        assertThat(regs.getLength()).isEqualTo(TargetDescription.REGISTERS);
        String[] first = {"eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi", "eip", "eflags", "cs", "ss", "ds",
            "es", "fs", "gs"};
        int bits = 0;
        for (int i = 0; i < regs.getLength(); i++) {
            org.w3c.dom.Element r = (org.w3c.dom.Element) regs.item(i);
            if (i < first.length) {
                assertThat(r.getAttribute("name")).isEqualTo(first[i]);
            }
            bits += Integer.parseInt(r.getAttribute("bitsize"));
        }
        assertThat(bits / 8).isEqualTo(TargetDescription.totalSize()).isEqualTo(16 * 4 + 8 * 10 + 8 * 4);
    }
}
