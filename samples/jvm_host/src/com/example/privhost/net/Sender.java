package com.example.privhost.net;

import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.URL;
import java.nio.charset.StandardCharsets;

/** Sends the host app's HTTP requests. Only over loopback: through a proxy on 127.0.0.1 (which
 *  decides where a request goes: no DNS lookup here) or straight to a loopback URL. Anything else
 *  is refused, so the sample never talks to the internet. */
public final class Sender {
    private static volatile String proxySpec;

    private Sender() {}

    public static void setProxy(String hostPort) { proxySpec = hostPort; }

    public static void post(String url, String body) {
        try {
            Proxy proxy = proxy();
            URL u = new URL(url);
            if (proxy == Proxy.NO_PROXY && !isLoopback(u.getHost())) {
                System.out.println("privhost: no loopback proxy, not sending to " + u.getHost());
                return;
            }
            HttpURLConnection c = (HttpURLConnection) u.openConnection(proxy);
            c.setConnectTimeout(3000);
            c.setReadTimeout(3000);
            c.setRequestMethod("POST");
            c.setDoOutput(true);
            c.setRequestProperty("Content-Type", "application/x-www-form-urlencoded");
            c.getOutputStream().write(body.getBytes(StandardCharsets.UTF_8));
            int code = c.getResponseCode();
            InputStream in = code < 400 ? c.getInputStream() : c.getErrorStream();
            if (in != null) {
                in.readAllBytes();
                in.close();
            }
            System.out.println("privhost: sent " + u.getHost() + u.getPath() + " -> " + code);
        } catch (Exception e) {
            // The app keeps running when the network fails, as a real app would.
            System.out.println("privhost: send failed: " + e);
        }
    }

    private static Proxy proxy() {
        String spec = proxySpec;
        if (spec == null || spec.isEmpty()) {
            String h = System.getProperty("http.proxyHost");
            if (h == null || h.isEmpty()) {
                return Proxy.NO_PROXY;
            }
            spec = h + ":" + System.getProperty("http.proxyPort", "8080");
        }
        int colon = spec.lastIndexOf(':');
        String host = spec.substring(0, colon);
        int port = Integer.parseInt(spec.substring(colon + 1));
        if (!isLoopback(host)) {
            throw new IllegalArgumentException("proxy must be on loopback, not " + host);
        }
        return new Proxy(Proxy.Type.HTTP, new InetSocketAddress("127.0.0.1", port));
    }

    private static boolean isLoopback(String host) {
        return host.equals("127.0.0.1") || host.equals("localhost") || host.equals("::1") || host.equals("[::1]");
    }
}
