package app.doorstep.ui.shots

import org.junit.Test

class DumpTest {
    @Test fun dump() {
        val out = java.io.File(System.getProperty("dump.to", "target/gallery-dump.txt"))
        out.writeText(Gallery.shots.joinToString("\n\n") { "== ${it.name}\n${it.zh}\n${it.en}" })
    }
}
