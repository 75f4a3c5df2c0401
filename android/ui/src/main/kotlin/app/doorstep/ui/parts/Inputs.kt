package app.doorstep.ui.parts

import androidx.compose.foundation.Image
import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.ExperimentalLayoutApi
import androidx.compose.foundation.layout.FlowRow
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.heightIn
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.text.KeyboardOptions
import androidx.compose.material3.FilterChip
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedTextField
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.remember
import androidx.compose.runtime.setValue
import androidx.compose.ui.Modifier
import androidx.compose.ui.graphics.ImageBitmap
import androidx.compose.ui.layout.ContentScale
import androidx.compose.ui.platform.testTag
import androidx.compose.ui.semantics.contentDescription
import androidx.compose.ui.semantics.semantics
import androidx.compose.ui.text.TextRange
import androidx.compose.ui.text.input.TextFieldValue
import androidx.compose.ui.unit.dp
import app.doorstep.ui.shell.LocalImageFiles
import app.doorstep.ui.theme.Palette
import app.doorstep.ui.theme.Touch

/**
 * Inputs drawn on the core's values: a text field whose text is what the core says the field
 * holds, choice chips from the core's options, a picture from a file the core wrote. None of
 * them words anything: labels, placeholders, problems and sentences are the core's.
 */

/**
 * A text field on the core's [value]: each change sends the whole text ([onText]); the core's
 * answer becomes the field's text. While answers are on their way (the app's worker is a thread
 * on the phone), the core's value as it was and its answers to texts sent are not taken for a
 * change of its own, so fast typing loses nothing; a change the core makes itself (a scan, a
 * clear, a cut to the longest allowed, a number written its way) replaces the text. [problem]
 * is the core's why-not, drawn under the field as its error. [description] is what a screen
 * reader says (the core's sentence); the label or the placeholder when the core gives none.
 */
@Composable
fun CoreTextField(
    value: String,
    onText: (String) -> Unit,
    modifier: Modifier = Modifier,
    label: String? = null,
    placeholder: String? = null,
    problem: String? = null,
    description: String? = null,
    enabled: Boolean = true,
    singleLine: Boolean = true,
    suffix: String? = null,
    keyboard: KeyboardOptions = KeyboardOptions.Default,
    tag: String? = null,
) {
    var local by remember { mutableStateOf(TextFieldValue(value, TextRange(value.length))) }
    val seen = remember { arrayOf(value) }
    val sent = remember { ArrayDeque<String>() }
    if (value != seen[0]) {
        seen[0] = value
        if (value == local.text || value in sent) {
            // The core's answer to a text sent: the answers before it are stale.
            while (sent.isNotEmpty() && sent.removeFirst() != value) Unit
        } else {
            // The core changed the text itself.
            sent.clear()
            local = TextFieldValue(value, TextRange(value.length))
        }
    }
    val shown = local
    Column(modifier) {
        OutlinedTextField(
            value = shown,
            onValueChange = { next ->
                val changed = next.text != shown.text
                local = next
                if (changed) {
                    sent.addLast(next.text)
                    while (sent.size > 32) sent.removeFirst()
                    onText(next.text)
                }
            },
            enabled = enabled,
            singleLine = singleLine,
            minLines = if (singleLine) 1 else 3,
            suffix = suffix?.let { { Text(it) } },
            isError = problem != null,
            keyboardOptions = keyboard,
            label = label?.let { { Text(it) } },
            placeholder = placeholder?.let { { Text(it) } },
            modifier = Modifier
                .fillMaxWidth()
                .heightIn(min = Touch.Primary)
                .let { m -> (description ?: label ?: placeholder)?.let { d -> m.semantics { contentDescription = d } } ?: m }
                .let { m -> tag?.let { m.testTag(it) } ?: m },
        )
        if (problem != null) ProblemText(problem)
    }
}

/** The core's words for what is wrong, in the warning colour. */
@Composable
fun ProblemText(text: String, modifier: Modifier = Modifier) {
    Text(
        text,
        color = Palette.Red,
        style = MaterialTheme.typography.bodyMedium,
        modifier = modifier.padding(top = 4.dp, start = 4.dp),
    )
}

/** One choice as the core gives it: its words, whether it is picked, its spoken sentence. */
data class ChipChoice(val id: String, val label: String, val selected: Boolean, val accessibility: String)

/** Choices as chips (a check's marks, a single or multiple choice, the outcome, the languages). */
@OptIn(ExperimentalLayoutApi::class)
@Composable
fun ChoiceChips(
    choices: List<ChipChoice>,
    onPick: (String) -> Unit,
    modifier: Modifier = Modifier,
    enabled: Boolean = true,
    tagPrefix: String? = null,
) {
    FlowRow(modifier, horizontalArrangement = Arrangement.spacedBy(8.dp), verticalArrangement = Arrangement.spacedBy(4.dp)) {
        for (choice in choices) {
            FilterChip(
                selected = choice.selected,
                onClick = { onPick(choice.id) },
                enabled = enabled,
                label = { Text(choice.label) },
                modifier = Modifier
                    .heightIn(min = Touch.Minimum)
                    .semantics { contentDescription = choice.accessibility }
                    .let { m -> tagPrefix?.let { m.testTag("$it.${choice.id}") } ?: m },
            )
        }
    }
}

/**
 * A picture from a file the core wrote (a photo's thumbnail, a signature's preview), read once
 * per path: the files are small (thumbnails, a 600 px grey PNG) and read where drawn.
 */
@Composable
fun rememberImageFile(path: String?): ImageBitmap? {
    val files = LocalImageFiles.current
    return remember(path, files) { path?.let { files.load(it) } }
}

/** A picture the core wrote, with its sentence; nothing when it cannot be read. */
@Composable
fun FileImage(path: String?, description: String, modifier: Modifier = Modifier, scale: ContentScale = ContentScale.Fit) {
    val image = rememberImageFile(path) ?: return
    Image(image, contentDescription = description, modifier = modifier, contentScale = scale)
}
