package app.doorstep.ui.shots

import app.doorstep.core.Language
import java.io.File
import org.junit.Assert.assertTrue
import org.junit.Assert.fail
import org.junit.Test
import org.junit.runner.RunWith
import org.junit.runners.Parameterized

/**
 * User story: a technician sees every screen of the app drawn as the reference images show it,
 * in Chinese and in English, and Today still fits with the phone's text made 30 % larger.
 *
 * Each gallery screen is rendered (Renders: 360x800 dp at density 2), written to the directory
 * of the system property `doorstep.renders`, and compared with its reference in
 * src/test/screenshots/<name>.png: more than 0.5 % of pixels off by more than a small tolerance
 * per channel fails, with the fraction and a `<name>.diff.png` beside the render. With
 * `-Ddoorstep.record=true` the references are written instead. A missing reference fails.
 */
@RunWith(Parameterized::class)
class ScreenshotTest(private val case: Case) {
    data class Case(val name: String, val shot: String, val language: Language, val fontScale: Float) {
        override fun toString() = name
    }

    @Test
    fun `the screen is drawn as its reference shows it`() {
        val png = Renders.png(Gallery.shot(case.shot).state(case.language), case.fontScale)
        val renders = File(checkNotNull(System.getProperty("doorstep.renders")) { "no doorstep.renders property" })
        renders.mkdirs()
        val render = File(renders, "${case.name}.png")
        render.writeBytes(png)

        val reference = File(REFERENCES, "${case.name}.png")
        if (System.getProperty("doorstep.record") == "true") {
            reference.parentFile.mkdirs()
            reference.writeBytes(png)
            return
        }
        if (!reference.exists()) {
            fail("no reference ${reference.path} for ${render.path}: record it with -Ddoorstep.record=true and look at it")
        }
        val difference = Renders.compare(reference.readBytes(), png)
        if (!difference.sameSize) fail("${case.name}: the render's size is not the reference's")
        val diff = File(renders, "${case.name}.diff.png")
        diff.delete()
        if (difference.fraction > Renders.MAX_FRACTION) {
            Renders.writePng(checkNotNull(difference.diff), diff)
        }
        assertTrue(
            "${case.name}: %.3f %% of pixels differ (at most %.1f %%); see ${render.path} and ${diff.path}"
                .format(difference.fraction * 100, Renders.MAX_FRACTION * 100),
            difference.fraction <= Renders.MAX_FRACTION,
        )
    }

    companion object {
        /** The references, in the module's sources (Maven runs in android/ui). */
        val REFERENCES = File("src/test/screenshots")

        @JvmStatic
        @Parameterized.Parameters(name = "{0}")
        fun cases(): List<Case> =
            Gallery.shots.flatMap { shot ->
                listOf(Case("${shot.name}.zh", shot.name, Language.ZH, 1f), Case("${shot.name}.en", shot.name, Language.EN, 1f))
            } + Case("today.zh.font130", "today", Language.ZH, 1.3f)
    }
}
