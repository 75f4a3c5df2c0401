package app.doorstep.ui.shell

import java.util.concurrent.ExecutorService
import java.util.concurrent.Executors

/**
 * Where the shell runs what: every call of the app blocks (docs/screens.md, "Threads"), so
 * events are handled on one app worker (one at a time, in order), a sync or an enrollment on a
 * second worker (it takes as long as the network does, and the screens go on meanwhile), and
 * the screen is published on the UI thread.
 */
interface Workers {
    fun app(task: () -> Unit)

    fun network(task: () -> Unit)

    fun ui(task: () -> Unit)
}

/** Everything on the calling thread, in order: the JVM UI tests, where a tap is handled at once. */
object InlineWorkers : Workers {
    override fun app(task: () -> Unit) = task()

    override fun network(task: () -> Unit) = task()

    override fun ui(task: () -> Unit) = task()
}

/**
 * Two single-thread workers and the platform's UI thread ([postToUi]: Android's main looper,
 * Swing's event thread on the desktop).
 */
class ThreadWorkers(private val postToUi: (Runnable) -> Unit) : Workers, AutoCloseable {
    private val appThread: ExecutorService = Executors.newSingleThreadExecutor { Thread(it, "doorstep-app").apply { isDaemon = true } }
    private val networkThread: ExecutorService =
        Executors.newSingleThreadExecutor { Thread(it, "doorstep-network").apply { isDaemon = true } }

    override fun app(task: () -> Unit) {
        appThread.execute(task)
    }

    override fun network(task: () -> Unit) {
        networkThread.execute(task)
    }

    override fun ui(task: () -> Unit) = postToUi(Runnable(task))

    override fun close() {
        appThread.shutdown()
        networkThread.shutdown()
    }
}
