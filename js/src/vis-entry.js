// The vis-network build the network view inlines: the esnext builds (no
// polyfills), bundled with their dependencies into one script that sets the
// global `vis` (Network, DataSet). Built by build.sh.
import { Network } from "vis-network/esnext";
import { DataSet } from "vis-data/esnext";

globalThis.vis = { Network, DataSet };
