package app.doorstep.ui.platform

import app.doorstep.core.MapPlace
import app.doorstep.ui.shell.MapApp
import app.doorstep.ui.shell.MapLinks
import java.net.URI
import java.net.URLDecoder
import kotlin.random.Random
import kotlin.test.assertEquals
import kotlin.test.assertFalse
import kotlin.test.assertTrue
import org.junit.Test

/** The map links of `OpenMap`: GCJ-02 for the Chinese map apps, WGS-84 for `geo:`, the label kept whole. */
class MapLinksTest {
    // West Lake's Broken Bridge: WGS-84 and its GCJ-02 shift of a few hundred metres.
    private val place = MapPlace(wgs84Lat = 30.2589, wgs84Lon = 120.1495, gcj02Lat = 30.256414, gcj02Lon = 120.154146)

    @Test fun `each map app gets the place in the datum it draws in`() {
        val label = "杭州市西湖区 北山街 3幢1单元502"
        val links = MapLinks.all(label, place).associate { it.app to it.uri }
        assertEquals(listOf(MapApp.AMAP, MapApp.BAIDU, MapApp.TENCENT, MapApp.GEO), MapLinks.all(label, place).map { it.app }, "Amap first")
        assertEquals(
            "androidamap://viewMap?sourceApplication=andr.doorstep.app&poiname=${MapLinks.escape(label)}&lat=30.256414&lon=120.154146&dev=0",
            links[MapApp.AMAP],
        )
        assertTrue(links[MapApp.BAIDU]!!.startsWith("baidumap://map/marker?location=30.256414,120.154146&"))
        assertTrue(links[MapApp.BAIDU]!!.contains("&coord_type=gcj02&"))
        assertTrue(links[MapApp.TENCENT]!!.startsWith("qqmap://map/marker?marker=coord:30.256414,120.154146;title:"))
        assertEquals("geo:30.258900,120.149500?q=30.258900,120.149500(${MapLinks.escape(label)})", links[MapApp.GEO])
        for (uri in links.values) {
            assertFalse(uri.contains("30.2589,") && uri.startsWith("baidu"), "no WGS-84 to a GCJ-02 map")
            URI(uri) // every link parses as a URI
        }
    }

    @Test fun `a label with any characters stays one parameter and reads back whole`() {
        val random = Random(11)
        val alphabet = "abcXYZ019 -._~&=?#;:,()/%+\"'<>[]{}|\\^`!@\$*西湖区幢单元号室\u00e9\uD83D\uDD25"
        repeat(500) {
            val label = String(CharArray(random.nextInt(0, 30)) { alphabet[random.nextInt(alphabet.length)] })
                .replace(Regex("[\uD800-\uDFFF]"), "") // whole code points only
            val escaped = MapLinks.escape(label)
            assertTrue(escaped.all { it.isLetterOrDigit() && it.code < 128 || it in "-._~%" }, escaped)
            assertEquals(label, URLDecoder.decode(escaped.replace("+", "%2B"), "UTF-8"))
            for (link in MapLinks.all(label, place)) {
                val query = URI(link.uri).rawQuery ?: URI(link.uri).rawSchemeSpecificPart
                val parameters = query.split('&')
                assertEquals(link.uri.count { it == '&' } + 1, parameters.size)
                assertFalse(escaped.contains('&') || escaped.contains(';') || escaped.contains('(') || escaped.contains(')'))
            }
        }
        assertEquals("%E8%A5%BF%E6%B9%96%20A%26B", MapLinks.escape("西湖 A&B"))
    }

    @Test fun `coordinates are written with a dot whatever the phone's language`() {
        val saved = java.util.Locale.getDefault()
        try {
            java.util.Locale.setDefault(java.util.Locale.GERMANY)
            assertTrue(MapLinks.geo("x", place).startsWith("geo:30.258900,120.149500"))
        } finally {
            java.util.Locale.setDefault(saved)
        }
    }
}
