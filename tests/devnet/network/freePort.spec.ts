/**
 * freePort hands out each port once per process: a network of processes asks for its ports one after another,
 * before any of them binds, and the OS may offer a port it just offered again (a fault test once saw the worker
 * and the relay given the same port, and the relay's restart failed with EADDRINUSE).
 */
import { freePort } from '../../../devnet/network/launch';

it('never hands out the same port twice, however often the OS offers it', async () => {
    const ports: number[] = [];
    for (let i = 0; i < 2000; i++) ports.push(await freePort());
    expect(new Set(ports).size).toBe(ports.length);
});
