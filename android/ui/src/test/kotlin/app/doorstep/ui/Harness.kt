package app.doorstep.ui

import androidx.compose.runtime.CompositionLocalProvider
import androidx.compose.ui.test.junit4.ComposeContentTestRule
import androidx.compose.ui.text.font.FontFamily
import androidx.compose.ui.text.font.FontWeight
import androidx.compose.ui.text.platform.SystemFont
import app.doorstep.core.DoorstepApp
import app.doorstep.core.Language
import app.doorstep.core.ScreenState
import app.doorstep.core.generateStoreKey
import app.doorstep.ui.desktop.SkiaImageFiles
import app.doorstep.ui.shell.InlineWorkers
import app.doorstep.ui.shell.LocalImageFiles
import app.doorstep.ui.shell.Shell
import app.doorstep.ui.theme.DoorstepTheme
import java.io.File
import java.nio.file.Path

/**
 * A phone in a JVM test: the real library's [DoorstepApp] over a real encrypted store in
 * [folder], on a hand-set clock ([now], RFC 3339), behind the real [Shell] with a
 * [TestPlatform], drawn by [DoorstepUi] in the Compose test [rule]. Tests tap what is drawn;
 * the events reach the core as the Android app's would. Events are handled at once on the
 * test's thread (InlineWorkers), so after a tap the next screen is drawn.
 */
class UiPhone(
    val rule: ComposeContentTestRule,
    val folder: Path,
    now: String,
    language: Language = Language.ZH,
) : AutoCloseable {
    val platform = TestPlatform()
    val app: DoorstepApp = DoorstepApp.openWithTime(folder.toString(), generateStoreKey(), language, "compose test phone", now)
    val shell = Shell(app, platform, InlineWorkers, app.screen(), language)

    /** Puts the app on the test's window. */
    fun show(): UiPhone {
        rule.setContent { Themed { DoorstepUi(shell) } }
        rule.waitForIdle()
        return this
    }

    /** The screen the core shows now. */
    val state: ScreenState get() = shell.state

    /** Minutes pass on the app's clock; the Activity's timer sends its Tick. */
    fun tick(minutes: Int = 1) {
        app.advanceMinutes(minutes.toUInt())
        rule.runOnIdle { shell.tick() }
        rule.waitForIdle()
    }

    override fun close() = app.destroy()
}

/** The theme the tests draw in: Noto Sans CJK from the machine (fonts-noto-cjk), the same everywhere. */
@androidx.compose.runtime.Composable
fun Themed(content: @androidx.compose.runtime.Composable () -> Unit) {
    CompositionLocalProvider(LocalImageFiles provides SkiaImageFiles) {
        DoorstepTheme(fontFamily = TestFonts.family, content = content)
    }
}

object TestFonts {
    /** Debian's fonts-noto-cjk (the README's test command installs it). */
    private const val FILE = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"

    /**
     * Noto Sans CJK SC by name (the collection's simplified Chinese face, Latin included),
     * found through fontconfig in every weight the screens use.
     */
    @OptIn(androidx.compose.ui.text.ExperimentalTextApi::class)
    val family: FontFamily by lazy {
        check(File(FILE).exists()) { "no Noto Sans CJK at $FILE: apt-get install fonts-noto-cjk" }
        FontFamily(
            listOf(FontWeight.Normal, FontWeight.Medium, FontWeight.SemiBold, FontWeight.Bold)
                .map { SystemFont("Noto Sans CJK SC", it) },
        )
    }
}
