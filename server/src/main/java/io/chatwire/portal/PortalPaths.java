package io.chatwire.portal;

import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import java.io.IOException;

/**
 * Serves the API under the portal's path as well: {@code /portal/api/v1/...} is handled as
 * {@code /v1/...}, marked as a portal request. The session cookie is scoped to {@code /portal}, so
 * the browser never sends it to the API's own paths, where only bearer tokens count.
 */
final class PortalPaths implements Filter {
    static final String PORTAL = "/portal";
    static final String API = PORTAL + "/api";
    static final String MARK = "chatwire.portalRequest";

    @Override
    public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        if (request instanceof HttpServletRequest http && http.getRequestURI().startsWith(API + "/v1/")) {
            String inner = http.getRequestURI().substring(API.length());
            http.setAttribute(MARK, Boolean.TRUE);
            chain.doFilter(new HttpServletRequestWrapper(http) {
                @Override
                public String getRequestURI() {
                    return inner;
                }

                @Override
                public StringBuffer getRequestURL() {
                    StringBuffer url = new StringBuffer(http.getRequestURL());
                    int at = url.indexOf(API + "/v1/");
                    return at < 0 ? url : url.replace(at, at + API.length(), "");
                }

                @Override
                public String getServletPath() {
                    return "";
                }

                @Override
                public String getPathInfo() {
                    return inner;
                }
            }, response);
            return;
        }
        chain.doFilter(request, response);
    }
}
