package dev.distillery.kernel.magics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class ChainItemsTest {

    @Test
    void aSpecsOwnSettingsStayWithItInAnAssistantList() {
        assertEquals(List.of("a", "vit:2x32,patch=7", "mlp:64"), ChainMagic.items("a,vit:2x32,patch=7,mlp:64"));
        assertEquals(
                List.of("cnn:16x32,dense=64,dropout=0.2", "ta"),
                ChainMagic.items(" cnn:16x32,dense=64,dropout=0.2 , ta,"));
        assertEquals(List.of("mlp:256", "mlp:64"), ChainMagic.items("mlp:256,mlp:64"));
    }
}
