package dev.kjump.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** System.map: symbols by name and code addresses by symbol, for the committed kernel and malformed input. */
class SystemMapTest {
    @Test
    void theCommittedKernelsMapNamesStartKernel() throws Exception {
        SystemMap map = SystemMap.besides(Path.of("images/linux/bzImage")).orElseThrow();
        assertThat(map.size()).isGreaterThan(1000);
        long sk = map.address("start_kernel").orElseThrow();
        assertThat(sk).isBetween(0xc1000000L, 0xc2000000L);
        assertThat(map.symbolAt(sk + 4)).contains("start_kernel+0x4");
        assertThat(map.symbolAt(0x100000)).isEmpty();
        assertThat(map.address("no_such_symbol")).isEmpty();
    }

    @Test
    void dataSymbolsDoNotNameCodeAndMalformedLinesAreRefused() throws Exception {
        SystemMap map = SystemMap.parse("c1000000 T startup_32\nc1000010 d some_data\nc1000100 B _end\n", "m");
        assertThat(map.symbolAt(0xc1000020L)).contains("startup_32+0x20");
        assertThat(map.symbolAt(0xc1000100L)).isEmpty();
        assertThatThrownBy(() -> SystemMap.parse("c1000000 T\n", "bad")).isInstanceOf(ImageException.class)
                .hasMessageStartingWith("bad: line 1 is not");
        assertThatThrownBy(() -> SystemMap.parse("zz T x\n", "bad")).hasMessageContaining("bad address");
        assertThat(SystemMap.besides(Path.of("no/such/bzImage"))).isEmpty();
    }
}
