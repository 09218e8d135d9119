import CGdkPixbuf
import CPangoCairo
import Foundation
import VitrineModel

/// The pictures exhibits name (collection photographs, portraits), decoded by gdk-pixbuf: JPEG and PNG (and what
/// else its loaders read), turned upright as their EXIF orientation says (a phone's photographs are stored on
/// their side), and decoded no larger than they are drawn — a JPEG is decoded at a reduced scale, so a
/// 48-megapixel photograph on a 1080p panel never takes 200 MB.
public enum PictureFile {
    /// Why a picture is not drawn.
    public enum Failure: Error, Equatable {
        case unreadable
        case tooLarge(width: Int, height: Int)
    }

    /// The picture at `path` as a Cairo image surface no larger than `box` pixels on its longer side (never
    /// enlarged), upright; the caller destroys it.
    static func surface(path: String, box: Int) -> Result<OpaquePointer, Failure> {
        var width: Int32 = 0, height: Int32 = 0
        guard gdk_pixbuf_get_file_info(path, &width, &height) != nil, width > 0, height > 0 else {
            return .failure(.unreadable)
        }
        guard Int(width) * Int(height) <= ImageBlock.maxMegapixels * 1_000_000 else {
            return .failure(.tooLarge(width: Int(width), height: Int(height)))
        }
        var error: UnsafeMutablePointer<GError>?
        // A square box of the longer side fits either way round, before the orientation is known.
        let decoded = max(width, height) > Int32(box)
            ? gdk_pixbuf_new_from_file_at_scale(path, Int32(box), Int32(box), 1, &error)
            : gdk_pixbuf_new_from_file(path, &error)
        if let error { g_error_free(error) }
        guard let decoded else { return .failure(.unreadable) }
        defer { g_object_unref(UnsafeMutableRawPointer(decoded)) }
        guard let upright = gdk_pixbuf_apply_embedded_orientation(decoded) else { return .failure(.unreadable) }
        defer { g_object_unref(UnsafeMutableRawPointer(upright)) }
        return surface(of: upright).map { .success($0) } ?? .failure(.unreadable)
    }

    /// Copies a pixbuf (RGB or RGBA, 8 bits) into a Cairo ARGB32 surface, alpha premultiplied as Cairo wants.
    private static func surface(of pixbuf: OpaquePointer) -> OpaquePointer? {
        let width = Int(gdk_pixbuf_get_width(pixbuf)), height = Int(gdk_pixbuf_get_height(pixbuf))
        let channels = Int(gdk_pixbuf_get_n_channels(pixbuf)), rowstride = Int(gdk_pixbuf_get_rowstride(pixbuf))
        guard gdk_pixbuf_get_bits_per_sample(pixbuf) == 8, channels == 3 || channels == 4,
              let source = gdk_pixbuf_read_pixels(pixbuf),
              let surface = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, Int32(width), Int32(height))
        else { return nil }
        guard cairo_surface_status(surface) == CAIRO_STATUS_SUCCESS, let target = cairo_image_surface_get_data(surface)
        else {
            cairo_surface_destroy(surface)
            return nil
        }
        let stride = Int(cairo_image_surface_get_stride(surface))
        for y in 0..<height {
            let from = source + y * rowstride
            let to = UnsafeMutableRawPointer(target + y * stride).assumingMemoryBound(to: UInt32.self)
            for x in 0..<width {
                let p = from + x * channels
                let a = channels == 4 ? UInt32(p[3]) : 255
                func premultiplied(_ c: UInt8) -> UInt32 { a == 255 ? UInt32(c) : (UInt32(c) * a + 127) / 255 }
                to[x] = a << 24 | premultiplied(p[0]) << 16 | premultiplied(p[1]) << 8 | premultiplied(p[2])
            }
        }
        cairo_surface_mark_dirty(surface)
        return surface
    }
}
