// cnspec writes a finding's file as it saw it: relative to the directory it scanned
// (`main.tf` for `terraform ./infra`), relative to its working directory, absolute, or as a
// file:// URI. Annotations and GitHub code scanning need one form: relative to the
// repository root (GITHUB_WORKSPACE), "/" separated.
import { existsSync, statSync } from 'node:fs'
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path'
import { fileURLToPath } from 'node:url'

export interface PathContext {
  /** The repository root: GITHUB_WORKSPACE. */
  workspace: string
  /** The path given to cnspec (`./infra` in `terraform ./infra`), as written in the target. */
  scannedPath?: string
  /** cnspec's working directory; defaults to this process's. */
  cwd?: string
}

export interface RepoPath {
  /** Repository-relative and "/" separated when inside the workspace; otherwise absolute. */
  path: string
  inRepository: boolean
}

function decode(uri: string): string {
  try {
    return decodeURIComponent(uri)
  } catch {
    return uri
  }
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile()
  } catch {
    return false
  }
}

/** The directory cnspec's relative paths start from: the scanned directory, or a scanned file's. */
function scannedDir(context: PathContext, cwd: string): string {
  if (!context.scannedPath) return cwd
  const scanned = resolve(cwd, context.scannedPath)
  return isFile(scanned) ? dirname(scanned) : scanned
}

/** An absolute path for what cnspec wrote, or undefined when it is not a file path at all. */
function absolutePath(uri: string, context: PathContext): string | undefined {
  const cwd = context.cwd ?? process.cwd()
  if (/^file:/i.test(uri)) {
    try {
      return fileURLToPath(uri)
    } catch {
      return undefined
    }
  }
  // Another scheme (https:, git:) names no file in this checkout.
  if (/^[a-z][a-z0-9+.-]+:/i.test(uri) && !/^[a-z]:[\\/]/i.test(uri)) return undefined
  const path = decode(uri)
  if (isAbsolute(path)) return resolve(path)
  const fromScanned = resolve(scannedDir(context, cwd), path)
  const fromCwd = resolve(cwd, path)
  if (fromScanned === fromCwd) return fromScanned
  const scannedExists = existsSync(fromScanned)
  const cwdExists = existsSync(fromCwd)
  if (scannedExists !== cwdExists) return scannedExists ? fromScanned : fromCwd
  // Both or neither exist: a path that already starts with the scanned directory was
  // written relative to the working directory; anything else relative to the scanned one.
  const prefix = relative(cwd, scannedDir(context, cwd))
  const startsWithScanned = prefix !== '' && (path + sep).startsWith(prefix + sep)
  return startsWithScanned && !scannedExists ? fromCwd : fromScanned
}

/** Makes a path from cnspec's report relative to the repository root, whatever form it had. */
export function repoPath(uri: string, context: PathContext): RepoPath | undefined {
  const absolute = absolutePath(uri.trim(), context)
  if (absolute === undefined) return undefined
  const rel = relative(resolve(context.workspace), absolute)
  const inRepository = rel !== '' && !rel.startsWith('..') && !isAbsolute(rel)
  const path = (inRepository ? rel : absolute).split(sep).join('/')
  return { path, inRepository }
}
