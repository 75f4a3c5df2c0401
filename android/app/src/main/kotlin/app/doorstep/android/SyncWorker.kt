package app.doorstep.android

import android.content.Context
import android.net.ConnectivityManager
import android.net.NetworkCapabilities
import androidx.work.BackoffPolicy
import androidx.work.Constraints
import androidx.work.CoroutineWorker
import androidx.work.ExistingWorkPolicy
import androidx.work.NetworkType
import androidx.work.OneTimeWorkRequestBuilder
import androidx.work.WorkManager
import androidx.work.WorkerParameters
import app.doorstep.core.AppListener
import app.doorstep.core.DoorstepException
import app.doorstep.core.Effect
import app.doorstep.core.Update
import app.doorstep.ui.shell.KeyVaultException
import app.doorstep.ui.shell.SyncRunEnd
import app.doorstep.ui.shell.SyncSchedule
import app.doorstep.ui.shell.SyncVerdict
import java.util.concurrent.TimeUnit
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.awaitCancellation
import kotlinx.coroutines.coroutineScope
import kotlinx.coroutines.launch
import kotlinx.coroutines.withContext

/**
 * The background sync (`ScheduleSync`): runs `runSync` on the process's app when there is a
 * network, with a progress notification, shows the notifications it brings, and tells
 * WorkManager what [SyncSchedule] decided (android/ui, tested on the JVM).
 */
class SyncWorker(context: Context, params: WorkerParameters) : CoroutineWorker(context, params) {
    override suspend fun doWork(): Result = withContext(Dispatchers.IO) {
        val doorstep = applicationContext as DoorstepApplication
        val end = if (!doorstep.syncing.compareAndSet(false, true)) {
            SyncRunEnd.BUSY
        } else {
            try {
                Notifications.showSyncRunning(applicationContext)
                sync(doorstep)
            } finally {
                Notifications.hideSyncRunning(applicationContext)
                doorstep.syncing.set(false)
            }
        }
        when (SyncSchedule.verdict(end, runAttemptCount)) {
            SyncVerdict.SUCCESS -> Result.success()
            SyncVerdict.RETRY -> Result.retry()
            SyncVerdict.FAILURE -> Result.failure()
        }
    }

    private suspend fun sync(doorstep: DoorstepApplication): SyncRunEnd {
        val app = try {
            doorstep.app()
        } catch (e: KeyVaultException) {
            return SyncRunEnd.BROKEN // the Activity says why when the technician opens the app
        } catch (e: DoorstepException) {
            return SyncRunEnd.BROKEN
        } catch (e: java.io.IOException) {
            return SyncRunEnd.BROKEN
        }
        var update: Update? = null
        var error: DoorstepException? = null
        coroutineScope {
            // WorkManager stopping the job (the network gone, the system's limits) cancels this
            // scope: the sync then stops before its next request.
            val stopper = launch {
                try {
                    awaitCancellation()
                } finally {
                    app.cancelSync()
                }
            }
            try {
                update = app.runSync(object : AppListener {
                    override fun onUpdate(update: Update) {
                        doorstep.onScreenChanged?.invoke()
                    }
                })
            } catch (e: DoorstepException) {
                error = e
            } finally {
                stopper.cancel()
            }
        }
        doorstep.onScreenChanged?.invoke()
        update?.effects?.forEach { effect ->
            when (effect) {
                is Effect.Notify -> Notifications.show(applicationContext, effect.id, effect.title, effect.body, effect.link, effect.urgent)
                is Effect.ForgetStoreKey -> doorstep.forgetStoreKey()
                else -> {} // screen effects: the Activity asks for them again when it is shown
            }
        }
        return SyncSchedule.end(update, error, networkUp(applicationContext))
    }

    companion object {
        /** `ScheduleSync { withinMinutes }`: the unique sync job, as [SyncSchedule.work] says. */
        fun schedule(context: Context, withinMinutes: Int) {
            val work = SyncSchedule.work(withinMinutes)
            val request = OneTimeWorkRequestBuilder<SyncWorker>()
                .setInitialDelay(work.initialDelayMinutes, TimeUnit.MINUTES)
                .setConstraints(
                    Constraints.Builder()
                        .setRequiredNetworkType(if (work.requiresNetwork) NetworkType.CONNECTED else NetworkType.NOT_REQUIRED)
                        .build(),
                )
                .setBackoffCriteria(BackoffPolicy.EXPONENTIAL, work.backoffSeconds, TimeUnit.SECONDS)
                .build()
            WorkManager.getInstance(context).enqueueUniqueWork(
                work.uniqueName,
                if (work.keepQueued) ExistingWorkPolicy.KEEP else ExistingWorkPolicy.REPLACE,
                request,
            )
        }

        fun networkUp(context: Context): Boolean {
            val connectivity = context.getSystemService(ConnectivityManager::class.java) ?: return false
            val capabilities = connectivity.getNetworkCapabilities(connectivity.activeNetwork ?: return false) ?: return false
            return capabilities.hasCapability(NetworkCapabilities.NET_CAPABILITY_INTERNET)
        }
    }
}
