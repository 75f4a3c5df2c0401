package app.doorstep.ui.theme

import androidx.compose.material3.ColorScheme
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.Typography
import androidx.compose.material3.lightColorScheme
import androidx.compose.runtime.Composable
import androidx.compose.runtime.Immutable
import androidx.compose.runtime.staticCompositionLocalOf
import androidx.compose.ui.graphics.Color
import androidx.compose.ui.text.TextStyle
import androidx.compose.ui.text.font.FontFamily
import androidx.compose.ui.unit.dp
import app.doorstep.core.BadgeKind
import app.doorstep.core.Level
import app.doorstep.core.NoticeKind

/**
 * The utility's colours: a deep gas-company blue for the bars and primary actions, an amber for
 * what is due soon, a signal red for what is late or dangerous, a green for what is done. Every
 * pair of text and background the screens use is listed in [ContrastPairs] and checked at
 * 4.5:1 or better (WCAG AA for body text) by the tests: technicians read these in stairwells
 * and in the sun.
 */
object Palette {
    val Blue = Color(0xFF0B4F8A)
    val BlueDark = Color(0xFF083A66)
    val BlueLight = Color(0xFFDCE9F7)
    val Ink = Color(0xFF1A1C1E)
    val InkMuted = Color(0xFF44474E)
    val Paper = Color(0xFFFFFFFF)
    val PaperDim = Color(0xFFF3F5F8)
    val Line = Color(0xFFC4C7CE)
    val Green = Color(0xFF1B6B2F)
    val GreenLight = Color(0xFFDFF2E3)
    val Amber = Color(0xFF7A4B00)
    val AmberLight = Color(0xFFFFEBC2)
    val Red = Color(0xFFB3261E)
    val RedLight = Color(0xFFFCE4E2)
    val Disabled = Color(0xFF5E6168)
    val DisabledBack = Color(0xFFE3E5EA)
}

/** Sizes for gloved hands: primary actions 56 dp high, anything tappable at least 48 dp. */
object Touch {
    val Primary = 56.dp
    val Minimum = 48.dp
    val Gap = 12.dp
    val Edge = 16.dp
}

/** A text colour on a background, as the screens draw them; the tests check each pair. */
@Immutable
data class ContrastPair(val name: String, val text: Color, val background: Color)

/** Every text-on-background pair the screens use (tests: 4.5:1 at least). */
val ContrastPairs: List<ContrastPair> = listOf(
    ContrastPair("body", Palette.Ink, Palette.Paper),
    ContrastPair("muted", Palette.InkMuted, Palette.Paper),
    ContrastPair("body on dim", Palette.Ink, Palette.PaperDim),
    ContrastPair("muted on dim", Palette.InkMuted, Palette.PaperDim),
    ContrastPair("top bar", Palette.Paper, Palette.Blue),
    ContrastPair("primary button", Palette.Paper, Palette.Blue),
    ContrastPair("secondary button", Palette.Blue, Palette.Paper),
    ContrastPair("tonal", Palette.BlueDark, Palette.BlueLight),
    ContrastPair("disabled", Palette.Disabled, Palette.DisabledBack),
    ContrastPair("disabled outlined", Palette.Disabled, Palette.Paper),
    ContrastPair("done", Palette.Green, Palette.GreenLight),
    ContrastPair("due soon", Palette.Amber, Palette.AmberLight),
    ContrastPair("late", Palette.Red, Palette.RedLight),
    ContrastPair("danger button", Palette.Paper, Palette.Red),
    ContrastPair("red on paper", Palette.Red, Palette.Paper),
    ContrastPair("green on paper", Palette.Green, Palette.Paper),
    ContrastPair("amber on paper", Palette.Amber, Palette.Paper),
)

/** The colours of a state: text and background. */
@Immutable
data class Tone(val text: Color, val background: Color)

object Tones {
    val Neutral = Tone(Palette.BlueDark, Palette.BlueLight)
    val Done = Tone(Palette.Green, Palette.GreenLight)
    val Soon = Tone(Palette.Amber, Palette.AmberLight)
    val Danger = Tone(Palette.Red, Palette.RedLight)
    val Disabled = Tone(Palette.Disabled, Palette.DisabledBack)

    fun of(level: Level, met: Boolean = false): Tone = when {
        met -> Done
        level == Level.ON_TIME -> Neutral
        level == Level.DUE_SOON -> Soon
        else -> Danger
    }

    fun of(kind: BadgeKind): Tone = when (kind) {
        BadgeKind.MAJOR, BadgeKind.HAZARD, BadgeKind.SHUT_OFF -> Danger
        BadgeKind.APPOINTMENT, BadgeKind.OUTAGE, BadgeKind.COMPLAINT -> Soon
        BadgeKind.SPECIAL_GROUP -> Neutral
    }

    fun of(kind: NoticeKind): Tone = when (kind) {
        NoticeKind.DONE -> Done
        NoticeKind.INFO -> Neutral
        NoticeKind.PROBLEM -> Danger
    }
}

private val Colors: ColorScheme = lightColorScheme(
    primary = Palette.Blue,
    onPrimary = Palette.Paper,
    primaryContainer = Palette.BlueLight,
    onPrimaryContainer = Palette.BlueDark,
    secondary = Palette.BlueDark,
    onSecondary = Palette.Paper,
    // Selected chips and tonal elements: the utility's light blue, not Material's lavender.
    secondaryContainer = Palette.BlueLight,
    onSecondaryContainer = Palette.BlueDark,
    tertiaryContainer = Palette.BlueLight,
    onTertiaryContainer = Palette.BlueDark,
    background = Palette.Paper,
    onBackground = Palette.Ink,
    surface = Palette.Paper,
    onSurface = Palette.Ink,
    surfaceVariant = Palette.PaperDim,
    onSurfaceVariant = Palette.InkMuted,
    outline = Palette.Line,
    error = Palette.Red,
    onError = Palette.Paper,
    errorContainer = Palette.RedLight,
    onErrorContainer = Palette.Red,
)

/** The font family every text is drawn in; the default is the platform's. */
val LocalFontFamily = staticCompositionLocalOf<FontFamily> { FontFamily.Default }

private fun Typography.withFamily(family: FontFamily): Typography {
    fun TextStyle.f() = copy(fontFamily = family)
    return Typography(
        displayLarge.f(), displayMedium.f(), displaySmall.f(),
        headlineLarge.f(), headlineMedium.f(), headlineSmall.f(),
        titleLarge.f(), titleMedium.f(), titleSmall.f(),
        bodyLarge.f(), bodyMedium.f(), bodySmall.f(),
        labelLarge.f(), labelMedium.f(), labelSmall.f(),
    )
}

/**
 * Material 3 in the utility's colours. [fontFamily]: the platform's by default; the JVM tests
 * give Noto Sans CJK so that renders are the same on every machine.
 */
@Composable
fun DoorstepTheme(fontFamily: FontFamily = FontFamily.Default, content: @Composable () -> Unit) {
    MaterialTheme(colorScheme = Colors, typography = Typography().withFamily(fontFamily), content = content)
}
