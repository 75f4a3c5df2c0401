package app.doorstep.ui.screens

import androidx.compose.foundation.Canvas
import androidx.compose.foundation.background
import androidx.compose.foundation.border
import androidx.compose.foundation.gestures.awaitEachGesture
import androidx.compose.foundation.gestures.awaitFirstDown
import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Box
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.fillMaxSize
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.height
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.shape.RoundedCornerShape
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.runtime.LaunchedEffect
import androidx.compose.runtime.mutableStateListOf
import androidx.compose.runtime.remember
import androidx.compose.runtime.snapshots.SnapshotStateList
import androidx.compose.ui.Alignment
import androidx.compose.ui.Modifier
import androidx.compose.ui.geometry.Offset
import androidx.compose.ui.graphics.Path
import androidx.compose.ui.graphics.StrokeCap
import androidx.compose.ui.graphics.StrokeJoin
import androidx.compose.ui.graphics.drawscope.Stroke
import androidx.compose.ui.input.pointer.pointerInput
import androidx.compose.ui.input.pointer.positionChange
import androidx.compose.ui.platform.testTag
import androidx.compose.ui.semantics.contentDescription
import androidx.compose.ui.semantics.semantics
import androidx.compose.ui.text.font.FontWeight
import androidx.compose.ui.unit.dp
import app.doorstep.core.Event
import app.doorstep.core.InkPoint
import app.doorstep.core.ScreenState
import app.doorstep.core.SignatureEvent
import app.doorstep.core.SignatureScreen
import app.doorstep.ui.parts.ActionButton
import app.doorstep.ui.parts.ButtonLook
import app.doorstep.ui.parts.CoreTextField
import app.doorstep.ui.parts.FileImage
import app.doorstep.ui.parts.ScreenFrame
import app.doorstep.ui.theme.Palette

/**
 * Signature (docs/screens.md, "Signature"): the form and the role, what the signer confirms, the
 * signer's name (typed when the core wants it), and the pad. A stroke is collected from pen down
 * to pen up (position in dp, the screen's points; ms since the signature began; the pen's
 * pressure where the screen gives one) and sent whole at pen up. The pad draws the ink this
 * screen saw drawn while the core holds the same number of strokes, else (after a restart, a
 * stroke refused) the core's own preview of what it holds. Clear, Accept and Cancel as the core
 * enables them.
 */
@Composable
fun SignatureUi(screen: SignatureScreen, state: ScreenState, send: (Event) -> Unit) {
    fun signature(event: SignatureEvent) = send(Event.Signature(event))
    ScreenFrame(
        screen.title,
        state,
        send,
        bottom = {
            Row(horizontalArrangement = Arrangement.spacedBy(12.dp), verticalAlignment = Alignment.Top) {
                ActionButton(screen.cancel, { signature(SignatureEvent.Cancel) }, tag = "signature.cancel", modifier = Modifier.weight(1f))
                ActionButton(screen.clear, { signature(SignatureEvent.Clear) }, tag = "signature.clear", modifier = Modifier.weight(1f))
                ActionButton(
                    screen.accept,
                    { signature(SignatureEvent.Accept) },
                    look = ButtonLook.Primary,
                    tag = "signature.accept",
                    modifier = Modifier.weight(1.4f),
                )
            }
        },
    ) {
        item(key = "form") {
            Text(screen.formTitle, style = MaterialTheme.typography.bodyLarge, color = Palette.InkMuted)
            Text(screen.role, style = MaterialTheme.typography.titleMedium, fontWeight = FontWeight.SemiBold, color = Palette.Ink)
        }
        screen.statement?.let { statement ->
            item(key = "statement") { Text(statement, style = MaterialTheme.typography.bodyLarge, color = Palette.Ink) }
        }
        item(key = "name") {
            CoreTextField(
                value = screen.signerName,
                onText = { signature(SignatureEvent.Name(it)) },
                label = screen.signerLabel,
                tag = "signature.name",
            )
        }
        item(key = "pad") { Pad(screen) { signature(SignatureEvent.Stroke(it)) } }
    }
}

/** The pad: strokes drawn live, sent at pen up. */
@Composable
private fun Pad(screen: SignatureScreen, stroke: (List<InkPoint>) -> Unit) {
    // Platform state, like a scroll position: the ink seen drawn here, in dp, and the start of
    // the signature on the pointer's clock.
    val drawn: SnapshotStateList<List<Offset>> = remember { mutableStateListOf() }
    val live: SnapshotStateList<Offset> = remember { mutableStateListOf() }
    val began = remember { longArrayOf(-1) }
    // Cleared (or not begun): the ink seen here goes, and the next stroke begins the signature.
    LaunchedEffect(screen.strokes) {
        if (screen.strokes == 0u) {
            drawn.clear()
            began[0] = -1
        }
    }
    val ours = drawn.size.toUInt() == screen.strokes
    Box(
        Modifier
            .fillMaxWidth()
            .height(240.dp)
            .background(Palette.Paper, RoundedCornerShape(8.dp))
            .border(2.dp, Palette.Blue, RoundedCornerShape(8.dp))
            .semantics { contentDescription = screen.padHint }
            .testTag("signature.pad")
            .pointerInput(Unit) {
                awaitEachGesture {
                    val down = awaitFirstDown()
                    if (began[0] < 0) began[0] = down.uptimeMillis
                    val points = mutableListOf<InkPoint>()
                    fun add(position: Offset, at: Long, pressure: Float) {
                        val dp = Offset(position.x / density, position.y / density)
                        live.add(dp)
                        points.add(
                            InkPoint(dp.x, dp.y, (at - began[0]).coerceAtLeast(0).toUInt(), pressure.takeIf { it > 0f && it <= 1f }),
                        )
                    }
                    live.clear()
                    add(down.position, down.uptimeMillis, down.pressure)
                    down.consume()
                    while (true) {
                        val event = awaitPointerEvent()
                        val change = event.changes.firstOrNull { it.id == down.id } ?: break
                        if (change.positionChange() != Offset.Zero) add(change.position, change.uptimeMillis, change.pressure)
                        change.consume()
                        if (!change.pressed) break
                    }
                    if (points.isNotEmpty()) {
                        drawn.add(live.toList())
                        live.clear()
                        stroke(points)
                    }
                }
            },
    ) {
        if (!ours && screen.strokes > 0u) {
            FileImage(screen.previewPath, screen.padHint, Modifier.fillMaxSize().padding(12.dp))
        }
        if (screen.strokes == 0u && live.isEmpty()) {
            Text(
                screen.padHint,
                style = MaterialTheme.typography.bodyLarge,
                color = Palette.InkMuted,
                modifier = Modifier.align(Alignment.Center),
            )
        }
        Canvas(Modifier.fillMaxSize()) {
            val pen = Stroke(width = 3.dp.toPx(), cap = StrokeCap.Round, join = StrokeJoin.Round)
            fun draw(points: List<Offset>) {
                if (points.isEmpty()) return
                val path = Path()
                path.moveTo(points[0].x * density, points[0].y * density)
                if (points.size == 1) path.lineTo(points[0].x * density + 0.1f, points[0].y * density)
                for (p in points.drop(1)) path.lineTo(p.x * density, p.y * density)
                drawPath(path, Palette.Ink, style = pen)
            }
            if (ours) drawn.forEach(::draw)
            draw(live)
        }
    }
}
