package app.doorstep.android

import android.Manifest
import android.annotation.SuppressLint
import android.app.NotificationChannel
import android.app.NotificationManager
import android.app.PendingIntent
import android.content.Context
import android.content.Intent
import android.content.pm.PackageManager
import android.net.Uri
import android.os.Build
import androidx.core.app.NotificationCompat
import androidx.core.app.NotificationManagerCompat
import androidx.core.content.ContextCompat

/**
 * The app's notifications: the core's `Notify` effects (an urgent one on a heads-up channel),
 * tapping one opens its link in the app; and the background sync's progress. The titles and
 * bodies are the core's; only the channels' names are the app's (res/values*).
 */
object Notifications {
    const val URGENT = "urgent"
    const val WORK = "work"
    const val SYNC = "sync"
    private const val SYNC_ID = 1

    fun createChannels(context: Context) {
        if (Build.VERSION.SDK_INT < Build.VERSION_CODES.O) return
        val manager = context.getSystemService(NotificationManager::class.java)
        manager.createNotificationChannels(
            listOf(
                // IMPORTANCE_HIGH: heads-up, sound: a 30-minute clock is running.
                NotificationChannel(URGENT, context.getString(R.string.channel_urgent), NotificationManager.IMPORTANCE_HIGH).apply {
                    description = context.getString(R.string.channel_urgent_description)
                    enableVibration(true)
                },
                NotificationChannel(WORK, context.getString(R.string.channel_work), NotificationManager.IMPORTANCE_DEFAULT).apply {
                    description = context.getString(R.string.channel_work_description)
                },
                NotificationChannel(SYNC, context.getString(R.string.channel_sync), NotificationManager.IMPORTANCE_LOW).apply {
                    description = context.getString(R.string.channel_sync_description)
                },
            ),
        )
    }

    /** The core's `Notify { id, title, body, link, urgent }`; the same [id] replaces the earlier one. */
    @SuppressLint("MissingPermission") // allowed() checks POST_NOTIFICATIONS
    fun show(context: Context, id: String, title: String, body: String, link: String, urgent: Boolean) {
        if (!allowed(context)) return
        val open = Intent(Intent.ACTION_VIEW, Uri.parse(link), context, MainActivity::class.java)
            .addFlags(Intent.FLAG_ACTIVITY_SINGLE_TOP or Intent.FLAG_ACTIVITY_CLEAR_TOP)
        val tap = PendingIntent.getActivity(
            context,
            id.hashCode(),
            open,
            PendingIntent.FLAG_IMMUTABLE or PendingIntent.FLAG_UPDATE_CURRENT,
        )
        val notification = NotificationCompat.Builder(context, if (urgent) URGENT else WORK)
            .setSmallIcon(R.drawable.ic_notification)
            .setContentTitle(title)
            .setContentText(body)
            .setStyle(NotificationCompat.BigTextStyle().bigText(body))
            .setContentIntent(tap)
            .setAutoCancel(true)
            .setPriority(if (urgent) NotificationCompat.PRIORITY_HIGH else NotificationCompat.PRIORITY_DEFAULT)
            .setCategory(if (urgent) NotificationCompat.CATEGORY_ALARM else NotificationCompat.CATEGORY_REMINDER)
            .setVisibility(NotificationCompat.VISIBILITY_PRIVATE)
            .build()
        try {
            NotificationManagerCompat.from(context).notify(id, 0, notification)
        } catch (e: SecurityException) {
            // The permission was withdrawn meanwhile: the order is on Today all the same.
        }
    }

    /** While the background sync runs: no sound, no badge, gone when it ends. */
    @SuppressLint("MissingPermission") // allowed() checks POST_NOTIFICATIONS
    fun showSyncRunning(context: Context) {
        if (!allowed(context)) return
        val notification = NotificationCompat.Builder(context, SYNC)
            .setSmallIcon(R.drawable.ic_notification)
            .setContentTitle(context.getString(R.string.sync_running))
            .setProgress(0, 0, true)
            .setOngoing(true)
            .setOnlyAlertOnce(true)
            .setPriority(NotificationCompat.PRIORITY_LOW)
            .build()
        try {
            NotificationManagerCompat.from(context).notify(SYNC_ID, notification)
        } catch (e: SecurityException) {
        }
    }

    fun hideSyncRunning(context: Context) = NotificationManagerCompat.from(context).cancel(SYNC_ID)

    private fun allowed(context: Context): Boolean =
        Build.VERSION.SDK_INT < Build.VERSION_CODES.TIRAMISU ||
            ContextCompat.checkSelfPermission(context, Manifest.permission.POST_NOTIFICATIONS) == PackageManager.PERMISSION_GRANTED
}
