package idle.cluster;

/** One incarnation of a coordinator node: the node and the epoch (fencing token) it holds. */
record Lease(int node, long epoch) {
    @Override
    public String toString() {
        return node + "@" + epoch;
    }
}
