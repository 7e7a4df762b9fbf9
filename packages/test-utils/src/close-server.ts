import type http from 'node:http';

/** Closes a test server promptly, even while clients hold keep-alive connections. */
export function closeServer(server: Pick<http.Server, 'close' | 'closeAllConnections'>): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    // Exporters keep connections alive; without this close() waits for their idle timeout.
    server.closeAllConnections();
  });
}
