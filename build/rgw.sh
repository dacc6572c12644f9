#!/usr/bin/env bash
# build/rgw.sh: a single-node Ceph radosgw (a real S3 server from Debian's packages) on loopback for the S3 tests.
#
#   build/rgw.sh start [PORT]   install (apt) if missing, start, create a test user; prints the env to export
#   build/rgw.sh stop  [PORT]   stop what start started
#
# One monitor + one bluestore-on-a-sparse-file OSD + radosgw, auth none, pools of size 1. Data lives in
# $DRTOOLS_RGW_DIR (default /tmp/drtools-rgw-PORT) and is deleted on stop. Binds 127.0.0.1 only.
set -euo pipefail
cmd=${1:-start}; PORT=${2:-17480}
DIR=${DRTOOLS_RGW_DIR:-/tmp/drtools-rgw-$PORT}
AK=DRTOOLSTESTKEY; SK=DRTOOLSTESTSECRET

stop() {
  local pids=()
  for p in client.rgw.a osd.0 mon.a; do
    [[ -f $DIR/run/$p.pid ]] && pids+=("$(cat "$DIR/run/$p.pid")")
  done
  [[ ${#pids[@]} -gt 0 ]] && kill "${pids[@]}" 2>/dev/null || true
  # Wait (up to 15 s) until they are gone, so no daemon outlives the run or writes into a deleted folder.
  for _ in $(seq 1 60); do
    local alive=0
    for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && [[ $(ps -o stat= -p "$pid") != Z* ]] && alive=1; done
    [[ $alive == 0 ]] && break
    sleep 0.25
  done
  rm -rf "$DIR"
}

if [[ $cmd == stop ]]; then stop; echo "rgw on $PORT stopped"; exit 0; fi

if ! command -v radosgw >/dev/null; then
  echo "installing Ceph radosgw from Debian packages (about 3 minutes)..." >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq --no-install-recommends radosgw ceph-mon ceph-osd >&2
fi

stop 2>/dev/null || true
mkdir -p "$DIR"/{run,log,mon.a,osd.0}
FSID=$(cat /proc/sys/kernel/random/uuid)
# Distinct mon ports per RGW port so two instances can coexist on one machine.
MONV2=$((PORT + 100)); MONV1=$((PORT + 101))
cat > "$DIR/ceph.conf" <<CONF
[global]
fsid = $FSID
mon_host = [v2:127.0.0.1:$MONV2,v1:127.0.0.1:$MONV1]
public_addr = 127.0.0.1
auth_cluster_required = none
auth_service_required = none
auth_client_required = none
osd_pool_default_size = 1
osd_pool_default_min_size = 1
osd_pool_default_pg_num = 8
osd_pool_default_pgp_num = 8
osd_crush_chooseleaf_type = 0
mon_allow_pool_size_one = true
mon_warn_on_pool_no_redundancy = false
mon_max_pg_per_osd = 1000
run_dir = $DIR/run
admin_socket = $DIR/run/\$name.asok
log_file = $DIR/log/\$name.log
pid_file = $DIR/run/\$name.pid
ms_bind_ipv6 = false
[mon.a]
mon_data = $DIR/mon.a
[osd.0]
osd_data = $DIR/osd.0
osd_objectstore = bluestore
bluestore_block_path = $DIR/osd0.block
bluestore_block_create = true
bluestore_block_size = 32212254720
osd_memory_target = 1073741824
[client.rgw.a]
# Without these radosgw waits 300 s on monitor auth.
ms_mon_client_mode = crc
auth_client_required = none
# tcp_nodelay: without it every small request costs about 45 ms.
rgw_frontends = beast endpoint=127.0.0.1:$PORT tcp_nodelay=1
rgw_data = $DIR/rgw.a
CONF
cd "$DIR"
monmaptool --create --clobber --fsid "$FSID" --addv a "[v2:127.0.0.1:$MONV2,v1:127.0.0.1:$MONV1]" monmap >/dev/null
ceph-mon -c ceph.conf -i a --mkfs --monmap monmap >/dev/null
ceph-mon -c ceph.conf -i a
OSD_UUID=$(cat /proc/sys/kernel/random/uuid)
ceph -c ceph.conf osd new "$OSD_UUID" >/dev/null
ceph-osd -c ceph.conf -i 0 --mkfs --osd-uuid "$OSD_UUID" >/dev/null 2>&1
ceph-osd -c ceph.conf -i 0
mkdir -p rgw.a
radosgw -c ceph.conf -n client.rgw.a
for _ in $(seq 1 240); do curl -s -o /dev/null "http://127.0.0.1:$PORT/" && break; sleep 0.25; done
curl -s -o /dev/null "http://127.0.0.1:$PORT/" || { echo "radosgw did not start; see $DIR/log" >&2; exit 1; }
radosgw-admin -c ceph.conf user create --uid=drtools --display-name=drtools --access-key=$AK --secret=$SK >/dev/null
echo "export DRTOOLS_TEST_S3_ENDPOINT=http://127.0.0.1:$PORT DRTOOLS_TEST_S3_ACCESS_KEY=$AK DRTOOLS_TEST_S3_SECRET_KEY=$SK"
