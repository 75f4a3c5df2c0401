package app.doorstep.core

import java.io.BufferedReader
import java.io.InputStreamReader
import java.net.InetAddress
import java.net.ServerSocket
import java.nio.file.Files
import java.nio.file.Path
import java.sql.DriverManager
import java.util.concurrent.TimeUnit
import kotlin.io.path.exists
import kotlin.io.path.writeText

/**
 * The back office for the binding tests: a real `doorstep serve` on loopback, set up with the
 * real `doorstep admin`, in a directory of its own (the Kotlin twin of bindings/python/conftest.py).
 * The binary comes from `cargo build -p doorstep-server`: env DOORSTEP_BIN, else the system
 * property `doorstep.bin` that the pom sets to target/debug/doorstep.
 */
class Office private constructor(val data: Path) : AutoCloseable {
    val port = freePort()
    val url = "http://127.0.0.1:$port"
    lateinit var district: String
    lateinit var technician: String
    val orderNumber = "WO-20261128-001"
    private var server: Process? = null

    fun admin(vararg args: String): String {
        val run = process(listOf(DOORSTEP, "admin", "--data", data.toString()) + args).start()
        // Small outputs (an id, a code): reading them after the exit cannot block on a full pipe.
        if (!run.waitFor(60, TimeUnit.SECONDS)) {
            run.destroyForcibly()
            error("doorstep admin ${args.first()} did not finish")
        }
        val out = run.inputStream.bufferedReader().readText()
        val err = run.errorStream.bufferedReader().readText()
        check(run.exitValue() == 0) { "doorstep admin ${args.first()}: $err" }
        return out.trim()
    }

    fun start() {
        val started = process(
            listOf(DOORSTEP, "serve", "--data", data.toString(), "--listen", "127.0.0.1:$port"),
        ).redirectError(ProcessBuilder.Redirect.DISCARD).start()
        server = started
        val stdout = BufferedReader(InputStreamReader(started.inputStream, Charsets.UTF_8))
        val line = stdout.readLine()
        check(line != null && line.startsWith("listening on http://")) { "the server did not start: $line" }
        // Keep reading what it prints so that a full pipe never stalls it.
        Thread({ stdout.useLines { lines -> lines.forEach { } } }, "doorstep-serve-stdout")
            .apply { isDaemon = true }
            .start()
    }

    fun stop() {
        val running = server ?: return
        running.destroy() // SIGTERM: the server shuts down cleanly
        if (!running.waitFor(30, TimeUnit.SECONDS)) {
            running.destroyForcibly().waitFor()
        }
        server = null
    }

    override fun close() = stop()

    /** The first column of the first row of `sql`, read from the server's own SQLite file. */
    fun count(sql: String, vararg params: Any): Long =
        DriverManager.getConnection("jdbc:sqlite:${data.resolve("doorstep.sqlite")}").use { db ->
            db.prepareStatement(sql).use { query ->
                params.forEachIndexed { i, p -> query.setObject(i + 1, p) }
                query.executeQuery().use { rows ->
                    check(rows.next()) { "no row for $sql" }
                    rows.getLong(1)
                }
            }
        }

    /** A one-time enrollment code for the office's technician. */
    fun enrollmentCode(): String = admin("enroll", technician)

    companion object {
        val DOORSTEP: String = System.getenv("DOORSTEP_BIN")
            ?: System.getProperty("doorstep.bin")
            ?: "../../target/debug/doorstep"

        // A district around 文三路 in 杭州 (WGS-84), two households in it.
        private const val BOUNDARY = "120.10 30.25, 120.15 30.25, 120.15 30.30, 120.10 30.30"
        private val HOUSEHOLDS = """
            customer_number,name,phone,district_id,address_district,street,building,unit,room,lat,lon,category,gas_on_date,last_inspection_at,special_group
            HZ-0001,张伟,13812345678,{district},西湖区,文三路88号,3,2,501,30.271,120.121,residential,2019-05-01,2024-04-02T09:30:00+08:00,
            HZ-0002,王秀英,13912345678,{district},西湖区,文三路88号,3,2,502,30.2711,120.1211,residential,2020-01-01,,elderly
        """.trimIndent() + "\n"

        /**
         * The service center as the tests need it: its server running in `dir`, one district,
         * one crew, technician HZ1024 (crew leader), the two households, and a pipeline fault
         * at HZ-0001 assigned to the technician.
         */
        fun open(dir: Path): Office {
            check(Path.of(DOORSTEP).exists()) {
                "no server binary at $DOORSTEP: run `cargo build -p doorstep-server` (or set DOORSTEP_BIN)"
            }
            val office = Office(Files.createDirectories(dir.resolve("office")))
            try {
                office.start()
                office.district = office.admin(
                    "district", "add", "--name", "西湖区文新片区", "--boundary", BOUNDARY,
                )
                val crew = office.admin("crew", "add", "--name", "抢修一班", "--district", office.district)
                office.technician = office.admin(
                    "technician", "add", "--badge", "HZ1024", "--name", "周建国", "--role", "crew_leader",
                    "--crew", crew, "--district", office.district,
                )
                val csv = dir.resolve("households.csv")
                csv.writeText(HOUSEHOLDS.replace("{district}", office.district))
                office.admin("household", "import", csv.toString())
                office.admin(
                    "order", "create", "--number", office.orderNumber, "--kind", "pipeline_fault",
                    "--source", "phone", "--household", "HZ-0001", "--assignee", office.technician,
                    "--description", "楼道内闻到燃气味",
                )
                return office
            } catch (e: Throwable) {
                office.stop()
                throw e
            }
        }

        /** A loopback port nothing listens on (now). */
        fun freePort(): Int =
            ServerSocket(0, 0, InetAddress.getLoopbackAddress()).use { it.localPort }

        private fun process(command: List<String>): ProcessBuilder =
            ProcessBuilder(command).also {
                // The tests read the server's SQLite file: never let the environment point it elsewhere.
                it.environment().remove("DOORSTEP_DATABASE_URL")
            }
    }
}
