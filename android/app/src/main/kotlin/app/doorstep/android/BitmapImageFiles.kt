package app.doorstep.android

import android.graphics.BitmapFactory
import androidx.compose.ui.graphics.ImageBitmap
import androidx.compose.ui.graphics.asImageBitmap
import app.doorstep.ui.shell.ImageFiles

/** Android's [ImageFiles]: a file the core wrote (a photo's thumbnail, a signature's preview) decoded by BitmapFactory. */
object BitmapImageFiles : ImageFiles {
    override fun load(path: String): ImageBitmap? = BitmapFactory.decodeFile(path)?.asImageBitmap()
}
