import Foundation
import Testing
import VitrineHTTP
import VitrineTestKit

/// The companion page a visitor's phone opens from a screen's code, over a real socket.
extension KioskTests {
    @Test func theCompanionPageShowsTheExhibitInTheVisitorsLanguage() async throws {
        let live = try await live(screen: unique("kiosk"), http: "  visitor-url: http://vitrine.museum.test:8080",
                                  files: { try $0.addVoice() })
        defer { Task { await live.stop() } }
        let client = live.client

        // The phone's languages choose; the page says which it is in, and offers the others by their own names.
        let russian = try await client.request("GET", "/visit/voice", headers: ["Accept-Language": "ru-RU,ru;q=0.9,en;q=0.8"])
        #expect(russian.status == 200)
        let page = russian.text
        #expect(page.contains("<html lang=\"ru\" dir=\"ltr\">") && page.contains("<h1>Голос</h1>"))
        #expect(page.contains("src=\"/media/voice/voice.ru.vtt\" srclang=\"ru\""))
        #expect(page.contains("<h3>Расшифровка</h3>") && page.contains("мы отдавали друг другу всё"))
        #expect(page.contains("lang=\"en\" hreflang=\"en\">English</a>") && page.contains("aria-current=\"page\">Русский"))
        // Nothing from elsewhere, no script, no cookie.
        #expect(!page.contains("http:") && !page.contains("https:") && !page.contains("<script"))
        #expect(russian.headers["content-security-policy"]?.hasPrefix("default-src 'none'") == true)
        #expect(russian.headers["set-cookie"] == nil)

        // A choice on the page wins; the language on screen counts when the phone's match none.
        #expect(try await client.request("GET", "/visit/voice?lang=en", headers: ["Accept-Language": "ru"]).text
            .contains("<html lang=\"en\""))
        #expect(try await client.request("GET", "/visit/voice?shown=ru", headers: ["Accept-Language": "de-DE"]).text
            .contains("<h1>Голос</h1>"))
        #expect(try await client.request("GET", "/visit/voice?lang=en&size=large").text.contains("font:1.5rem"))
        // The translation's captions are served; names the exhibit does not give are not.
        #expect(try await client.request("GET", "/media/voice/voice.ru.vtt").status == 200)
        #expect(try await client.request("GET", "/media/voice/exhibit.ru.md").status == 404)
        #expect(try await client.request("GET", "/visit/nothing").status == 404)
        // Phones ask by the name in the code.
        #expect(try await client.request("GET", "/visit/voice", headers: ["Host": "vitrine.museum.test:8080"]).status
            == 200)
    }
}
