package app.doorstep.ui.parts

import androidx.compose.foundation.background
import androidx.compose.foundation.border
import androidx.compose.foundation.clickable
import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Box
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.ExperimentalLayoutApi
import androidx.compose.foundation.layout.FlowRow
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.RowScope
import androidx.compose.foundation.layout.fillMaxSize
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.heightIn
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.layout.width
import androidx.compose.foundation.layout.widthIn
import androidx.compose.foundation.lazy.LazyColumn
import androidx.compose.foundation.lazy.LazyListScope
import androidx.compose.foundation.lazy.LazyListState
import androidx.compose.foundation.lazy.rememberLazyListState
import androidx.compose.foundation.shape.RoundedCornerShape
import androidx.compose.material3.Button
import androidx.compose.material3.ButtonDefaults
import androidx.compose.material3.HorizontalDivider
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedButton
import androidx.compose.material3.Surface
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.ui.Alignment
import androidx.compose.ui.Modifier
import androidx.compose.ui.semantics.Role
import androidx.compose.ui.semantics.contentDescription
import androidx.compose.ui.semantics.heading
import androidx.compose.ui.semantics.semantics
import androidx.compose.ui.platform.testTag
import androidx.compose.ui.text.font.FontWeight
import androidx.compose.ui.text.style.TextOverflow
import androidx.compose.ui.unit.dp
import app.doorstep.core.Action
import app.doorstep.core.Badge
import app.doorstep.core.Countdown
import app.doorstep.core.Event
import app.doorstep.core.Field
import app.doorstep.core.Notice
import app.doorstep.core.ScreenState
import app.doorstep.ui.theme.Palette
import app.doorstep.ui.theme.Tone
import app.doorstep.ui.theme.Tones
import app.doorstep.ui.theme.Touch

/**
 * The pieces every screen is drawn with. Nothing here words, formats or decides: each takes the
 * core's own record ([Action], [Field], [Badge], [Countdown], [Notice]) and draws it as given,
 * with the core's accessibility sentence as the element's content description.
 */

/** How an [ActionButton] looks: the screen's main action, a plain one, or one that destroys. */
enum class ButtonLook { Primary, Secondary, Danger }

/**
 * The core's [Action] as a button: its label, its accessibility sentence as the content
 * description, enabled as the core says; when disabled, the core's reason is written under it
 * (a technician must see why, not guess). Primary buttons are 56 dp high, others 48 dp.
 */
@Composable
fun ActionButton(
    action: Action,
    onClick: () -> Unit,
    modifier: Modifier = Modifier,
    look: ButtonLook = ButtonLook.Secondary,
    tag: String? = null,
) {
    Column(modifier) {
        val described = Modifier
            .fillMaxWidth()
            .heightIn(min = if (look == ButtonLook.Secondary) Touch.Minimum else Touch.Primary)
            .semantics { contentDescription = action.accessibility }
            .let { if (tag != null) it.testTag(tag) else it }
        when (look) {
            ButtonLook.Secondary -> OutlinedButton(
                onClick = onClick,
                enabled = action.enabled,
                modifier = described,
                colors = ButtonDefaults.outlinedButtonColors(disabledContentColor = Palette.Disabled),
                contentPadding = ButtonPadding,
            ) {
                Text(action.label, maxLines = 2, overflow = TextOverflow.Ellipsis)
            }
            ButtonLook.Primary, ButtonLook.Danger -> Button(
                onClick = onClick,
                enabled = action.enabled,
                modifier = described,
                // Disabled: the theme's disabled pair (ContrastPairs), readable in the sun, not
                // Material's 38 % grey.
                colors = ButtonDefaults.buttonColors(
                    containerColor = if (look == ButtonLook.Danger) Palette.Red else Palette.Blue,
                    contentColor = Palette.Paper,
                    disabledContainerColor = Palette.DisabledBack,
                    disabledContentColor = Palette.Disabled,
                ),
                contentPadding = ButtonPadding,
            ) {
                Text(action.label, maxLines = 2, overflow = TextOverflow.Ellipsis, fontWeight = FontWeight.SemiBold)
            }
        }
        val reason = action.disabledReason
        if (!action.enabled && !reason.isNullOrEmpty()) {
            Text(
                reason,
                style = MaterialTheme.typography.bodySmall,
                color = Palette.InkMuted,
                modifier = Modifier.padding(top = 4.dp, start = 4.dp),
            )
        }
    }
}

/**
 * Less side padding than Material's 24 dp: three buttons share a 360 dp phone's row (Cancel,
 * Clear, Accept on the signature pad) and "Cancel" must not break inside the word.
 */
private val ButtonPadding = androidx.compose.foundation.layout.PaddingValues(horizontal = 12.dp, vertical = 8.dp)

/** A compact tappable text (a chip, a link-like row action), still 48 dp high at least. */
@Composable
fun SmallAction(action: Action, onClick: () -> Unit, modifier: Modifier = Modifier, tag: String? = null) {
    OutlinedButton(
        onClick = onClick,
        enabled = action.enabled,
        colors = ButtonDefaults.outlinedButtonColors(disabledContentColor = Palette.Disabled),
        modifier = modifier
            .heightIn(min = Touch.Minimum)
            .widthIn(min = Touch.Minimum)
            .semantics { contentDescription = action.accessibility }
            .let { if (tag != null) it.testTag(tag) else it },
    ) { Text(action.label, maxLines = 1, overflow = TextOverflow.Ellipsis) }
}

/** A screen: the top bar (Back when the core allows it, the title), the notice, the content. */
@Composable
fun ScreenFrame(
    title: String,
    state: ScreenState,
    send: (Event) -> Unit,
    listState: LazyListState = rememberLazyListState(),
    actions: @Composable RowScope.() -> Unit = {},
    bottom: (@Composable () -> Unit)? = null,
    content: LazyListScope.() -> Unit,
) {
    Column(Modifier.fillMaxSize().background(Palette.Paper)) {
        TopBar(title, state, send, actions)
        state.notice?.let { NoticeBar(it) }
        LazyColumn(
            state = listState,
            modifier = Modifier.weight(1f).fillMaxWidth().testTag("screen.content"),
            verticalArrangement = Arrangement.spacedBy(Touch.Gap),
            contentPadding = androidx.compose.foundation.layout.PaddingValues(Touch.Edge),
            content = content,
        )
        if (bottom != null) {
            HorizontalDivider(color = Palette.Line)
            Box(Modifier.fillMaxWidth().padding(horizontal = Touch.Edge, vertical = 8.dp)) { bottom() }
        }
    }
}

/** The blue bar: Back (labelled by the core) when the screen can go back, the title, actions. */
@Composable
fun TopBar(title: String, state: ScreenState, send: (Event) -> Unit, actions: @Composable RowScope.() -> Unit = {}) {
    Surface(color = Palette.Blue, contentColor = Palette.Paper) {
        Row(
            Modifier.fillMaxWidth().heightIn(min = Touch.Primary).padding(horizontal = 4.dp),
            verticalAlignment = Alignment.CenterVertically,
        ) {
            if (state.canGoBack) {
                Box(
                    Modifier
                        .heightIn(min = Touch.Minimum)
                        .widthIn(min = Touch.Minimum)
                        .clickable(role = Role.Button) { send(Event.Back) }
                        .semantics { contentDescription = state.backLabel }
                        .testTag("back")
                        .padding(horizontal = 12.dp),
                    contentAlignment = Alignment.Center,
                ) { Text("‹ " + state.backLabel, color = Palette.Paper) }
            }
            Text(
                title,
                style = MaterialTheme.typography.titleLarge,
                color = Palette.Paper,
                maxLines = 2,
                overflow = TextOverflow.Ellipsis,
                modifier = Modifier
                    .weight(1f)
                    .padding(horizontal = 12.dp)
                    .semantics { heading() },
            )
            actions()
        }
    }
}

/** The core's notice over the screen ("已签名", a refusal): coloured by its kind. */
@Composable
fun NoticeBar(notice: Notice) {
    val tone = Tones.of(notice.kind)
    Text(
        notice.text,
        color = tone.text,
        style = MaterialTheme.typography.bodyLarge,
        modifier = Modifier
            .fillMaxWidth()
            .background(tone.background)
            .padding(horizontal = Touch.Edge, vertical = 12.dp)
            .testTag("notice"),
    )
}

/** A heading inside a screen. */
@Composable
fun SectionTitle(text: String, modifier: Modifier = Modifier) {
    Text(
        text,
        style = MaterialTheme.typography.titleMedium,
        fontWeight = FontWeight.SemiBold,
        color = Palette.Ink,
        modifier = modifier.padding(top = 8.dp).semantics { heading() },
    )
}

/** Label and value rows (the core's [Field]s). */
@Composable
fun FieldRows(fields: List<Field>, modifier: Modifier = Modifier) {
    Column(modifier, verticalArrangement = Arrangement.spacedBy(6.dp)) {
        for (field in fields) {
            Row(Modifier.fillMaxWidth()) {
                Text(
                    field.label,
                    color = Palette.InkMuted,
                    style = MaterialTheme.typography.bodyMedium,
                    // One column for every label, so that the values line up.
                    modifier = Modifier.width(112.dp).padding(end = 8.dp),
                )
                Text(field.value, color = Palette.Ink, style = MaterialTheme.typography.bodyLarge, modifier = Modifier.weight(1f))
            }
        }
    }
}

/** A small coloured label. */
@Composable
fun Pill(text: String, tone: Tone, modifier: Modifier = Modifier) {
    Text(
        text,
        color = tone.text,
        style = MaterialTheme.typography.labelLarge,
        modifier = modifier
            .background(tone.background, RoundedCornerShape(6.dp))
            .padding(horizontal = 8.dp, vertical = 4.dp),
    )
}

/** The core's badges, each in its colour. */
@OptIn(ExperimentalLayoutApi::class)
@Composable
fun Badges(badges: List<Badge>, modifier: Modifier = Modifier) {
    if (badges.isEmpty()) return
    FlowRow(modifier, horizontalArrangement = Arrangement.spacedBy(6.dp), verticalArrangement = Arrangement.spacedBy(6.dp)) {
        for (badge in badges) Pill(badge.label, Tones.of(badge.kind))
    }
}

/** A deadline: its label and due time, and what is left, coloured by its level. */
@Composable
fun CountdownBox(countdown: Countdown, modifier: Modifier = Modifier) {
    val tone = Tones.of(countdown.level, countdown.met)
    Column(
        modifier
            .fillMaxWidth()
            .background(tone.background, RoundedCornerShape(8.dp))
            .semantics(mergeDescendants = true) { contentDescription = countdown.accessibility }
            .padding(horizontal = 12.dp, vertical = 8.dp),
    ) {
        Text(countdown.label + " · " + countdown.due, color = tone.text, style = MaterialTheme.typography.bodyMedium)
        Text(countdown.remaining, color = tone.text, style = MaterialTheme.typography.titleMedium, fontWeight = FontWeight.Bold)
    }
}

/** A message in place of content (nothing to show, not on this phone). */
@Composable
fun Message(text: String, modifier: Modifier = Modifier) {
    Text(
        text,
        color = Palette.InkMuted,
        style = MaterialTheme.typography.bodyLarge,
        modifier = modifier.fillMaxWidth().padding(vertical = 24.dp).testTag("message"),
    )
}

/** A card: a bordered block; tappable (with the core's sentence) when [onClick] is given. */
@Composable
fun Card(
    modifier: Modifier = Modifier,
    accessibility: String? = null,
    tone: Tone? = null,
    onClick: (() -> Unit)? = null,
    content: @Composable () -> Unit,
) {
    val shape = RoundedCornerShape(10.dp)
    var m = modifier
        .fillMaxWidth()
        .background(tone?.background ?: Palette.Paper, shape)
        .border(1.dp, Palette.Line, shape)
    if (onClick != null) m = m.heightIn(min = Touch.Minimum).clickable(role = Role.Button, onClick = onClick)
    if (accessibility != null) m = m.semantics(mergeDescendants = true) { contentDescription = accessibility }
    Column(m.padding(12.dp), verticalArrangement = Arrangement.spacedBy(4.dp)) { content() }
}
