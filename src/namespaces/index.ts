/** The built-in namespaces, in the namespace of namespaces' defaults. */
import type { Namespace } from '../namespace/types.js';
import { ccNamespace } from './cc/index.js';
import { cmakeNamespace } from './cmake/index.js';
import { contextNamespace } from './context/index.js';
import { debNamespace } from './deb/index.js';
import { execNamespace } from './exec/index.js';
import { fetchNamespace } from './fetch/index.js';
import { filesystemNamespace } from './filesystem/index.js';
import { filterSourceNamespace } from './filter-source/index.js';
import { gccNamespace } from './gcc/index.js';
import { gitNamespace } from './git/index.js';
import { ninjaNamespace } from './ninja/index.js';
import { nomiaNamespace } from './nomia/index.js';
import { packageNamespace } from './package/index.js';
import { privateFilesystemNamespace } from './private-filesystem/index.js';
import { serviceNamespace } from './service/index.js';
import { textNamespace } from './text/index.js';
import { unpackNamespace } from './unpack/index.js';

export const builtinNamespaces: readonly Namespace[] = [filesystemNamespace, contextNamespace, execNamespace, textNamespace, nomiaNamespace, packageNamespace, gitNamespace, fetchNamespace, unpackNamespace, filterSourceNamespace, privateFilesystemNamespace, debNamespace, ccNamespace, gccNamespace, serviceNamespace, ninjaNamespace, cmakeNamespace];
