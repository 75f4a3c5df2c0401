package app.doorstep.ui.shell

import app.doorstep.core.MapPlace
import java.util.Locale

/** A map app the `OpenMap` effect can open, with the Android package that answers its link. */
enum class MapApp(val packageName: String?) {
    AMAP("com.autonavi.minimap"),
    BAIDU("com.baidu.BaiduMap"),
    TENCENT("com.tencent.map"),

    /** Any map app that takes `geo:` (Google Maps, OsmAnd, Organic Maps…): WGS-84. */
    GEO(null),
}

/** The link that opens [app] on a place. */
data class MapLink(val app: MapApp, val uri: String)

/**
 * The links of the `OpenMap { label, place }` effect (docs/screens.md): Amap, Baidu and Tencent
 * maps take GCJ-02 (the coordinates Chinese maps are drawn in), `geo:` takes WGS-84. The phone
 * opens the first whose app is installed, in this order (Amap is the one most technicians have).
 * The label is percent-encoded (UTF-8, RFC 3986): a Chinese address, spaces, `&`, `;` or `(`
 * stay part of the label and never break the link.
 */
object MapLinks {
    /** What Baidu and Amap ask a calling app to name itself as. */
    const val SOURCE = "andr.doorstep.app"

    fun all(label: String, place: MapPlace): List<MapLink> = listOf(
        MapLink(MapApp.AMAP, amap(label, place)),
        MapLink(MapApp.BAIDU, baidu(label, place)),
        MapLink(MapApp.TENCENT, tencent(label, place)),
        MapLink(MapApp.GEO, geo(label, place)),
    )

    /** Amap's marker (`dev=0`: the coordinates are GCJ-02 already). */
    fun amap(label: String, place: MapPlace): String =
        "androidamap://viewMap?sourceApplication=$SOURCE&poiname=${escape(label)}" +
            "&lat=${degrees(place.gcj02Lat)}&lon=${degrees(place.gcj02Lon)}&dev=0"

    fun baidu(label: String, place: MapPlace): String =
        "baidumap://map/marker?location=${degrees(place.gcj02Lat)},${degrees(place.gcj02Lon)}" +
            "&title=${escape(label)}&content=${escape(label)}&coord_type=gcj02&src=$SOURCE"

    /** Tencent's marker: `coord:lat,lon;title:…` inside one parameter (the label's `;` and `:` are escaped). */
    fun tencent(label: String, place: MapPlace): String =
        "qqmap://map/marker?marker=coord:${degrees(place.gcj02Lat)},${degrees(place.gcj02Lon)};title:${escape(label)}" +
            "&referer=$SOURCE"

    /** RFC 5870 with the query Android's map apps read for a labelled pin. */
    fun geo(label: String, place: MapPlace): String {
        val at = "${degrees(place.wgs84Lat)},${degrees(place.wgs84Lon)}"
        return "geo:$at?q=$at(${escape(label)})"
    }

    /** Six decimals (about 0.1 m), a dot whatever the phone's language. */
    private fun degrees(value: Double): String = String.format(Locale.ROOT, "%.6f", value)

    /** Percent-encoding of everything but RFC 3986's unreserved characters. */
    fun escape(text: String): String {
        val out = StringBuilder()
        for (byte in text.toByteArray(Charsets.UTF_8)) {
            val c = byte.toInt() and 0xff
            val ch = c.toChar()
            if (ch in 'A'..'Z' || ch in 'a'..'z' || ch in '0'..'9' || ch == '-' || ch == '.' || ch == '_' || ch == '~') {
                out.append(ch)
            } else {
                out.append('%').append(HEX[c shr 4]).append(HEX[c and 0x0f])
            }
        }
        return out.toString()
    }

    private const val HEX = "0123456789ABCDEF"
}
