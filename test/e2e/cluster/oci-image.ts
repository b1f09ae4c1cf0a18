// OCI image archives made from a folder, for a node that can pull nothing: one uncompressed layer
// (tar of the folder, root-owned, fixed mtimes), an image config, a manifest and an index whose
// io.containerd.image.name annotation is the name `ctr images import` gives the image.
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export interface ImageConfig {
  Entrypoint?: string[];
  Cmd?: string[];
  Env?: string[];
  User?: string;
  WorkingDir?: string;
}

export interface OciArchive {
  /** Fully qualified name, e.g. docker.io/feldera-e2e/shell:1 (what the kubelet asks for as feldera-e2e/shell:1). */
  name: string;
  file: string;
  /** sha256:... of the manifest. */
  digest: string;
}

function sha256(data: Buffer): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

function run(command: string, args: string[]): void {
  const result = spawnSync(command, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  if (result.error !== undefined) throw new Error(`${command}: ${result.error.message}`);
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (exit ${String(result.status)}): ${result.stderr.toString().trim()}`);
}

/** Writes an OCI archive (tar of an OCI image layout) of `rootfs` as image `name`. */
export function buildOciArchive(options: { rootfs: string; name: string; config: ImageConfig; file: string; tar?: string }): OciArchive {
  const tar = options.tar ?? 'tar';
  const layout = `${options.file}.layout`;
  rmSync(layout, { recursive: true, force: true });
  const blobs = join(layout, 'blobs', 'sha256');
  mkdirSync(blobs, { recursive: true });
  const layerFile = join(layout, 'layer.tar');
  run(tar, ['--sort=name', '--mtime=@0', '--owner=0', '--group=0', '--numeric-owner', '-C', options.rootfs, '-cf', layerFile, '.']);
  const layer = readFileSync(layerFile);
  const layerDigest = sha256(layer);
  renameSync(layerFile, join(blobs, layerDigest.slice('sha256:'.length)));
  const blob = (json: unknown): { digest: string; size: number } => {
    const data = Buffer.from(JSON.stringify(json));
    const digest = sha256(data);
    writeFileSync(join(blobs, digest.slice('sha256:'.length)), data);
    return { digest, size: data.length };
  };
  const config = blob({
    architecture: 'amd64',
    os: 'linux',
    config: options.config,
    rootfs: { type: 'layers', diff_ids: [layerDigest] },
    history: [{ created: '1970-01-01T00:00:00Z', created_by: 'feldera-e2e oci-image.ts' }],
  });
  const manifest = blob({
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...config },
    layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: layerDigest, size: layer.length }],
  });
  writeFileSync(join(layout, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  const tag = options.name.slice(options.name.lastIndexOf(':') + 1);
  writeFileSync(
    join(layout, 'index.json'),
    JSON.stringify({
      schemaVersion: 2,
      manifests: [
        {
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
          ...manifest,
          annotations: { 'io.containerd.image.name': options.name, 'org.opencontainers.image.ref.name': tag },
        },
      ],
    }),
  );
  mkdirSync(dirname(options.file), { recursive: true });
  run(tar, ['--sort=name', '--mtime=@0', '--owner=0', '--group=0', '--numeric-owner', '-C', layout, '-cf', options.file, 'oci-layout', 'index.json', 'blobs']);
  rmSync(layout, { recursive: true, force: true });
  statSync(options.file);
  return { name: options.name, file: options.file, digest: manifest.digest };
}
