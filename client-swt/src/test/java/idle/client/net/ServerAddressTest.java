package idle.client.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class ServerAddressTest {
    @Test
    void parsesHostPortBareHostAndIpv6() {
        assertEquals(new ServerAddress("example.org", 9000), ServerAddress.parse("example.org:9000"));
        assertEquals(new ServerAddress("example.org", 8001), ServerAddress.parse(" example.org "));
        assertEquals(new ServerAddress("::1", 8001), ServerAddress.parse("[::1]"));
        assertEquals(new ServerAddress("::1", 7), ServerAddress.parse("[::1]:7"));
        assertEquals(new ServerAddress("fe80::1", 8001), ServerAddress.parse("fe80::1"));
        assertEquals("[::1]:7", ServerAddress.parse("[::1]:7").toString());
        assertEquals("h:1", ServerAddress.parse("h:1").toString());
    }

    @Test
    void rejectsNonsenseWithAMessageForPeople() {
        assertEquals("'x' is not a port number",
                assertThrows(IllegalArgumentException.class, () -> ServerAddress.parse("h:x")).getMessage());
        assertThrows(IllegalArgumentException.class, () -> ServerAddress.parse("h:0"));
        assertThrows(IllegalArgumentException.class, () -> ServerAddress.parse("h:65536"));
        assertThrows(IllegalArgumentException.class, () -> ServerAddress.parse(":80"));
        assertThrows(IllegalArgumentException.class, () -> ServerAddress.parse("[::1"));
    }
}
