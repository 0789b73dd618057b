# Sourced by ./cascade and ./test: finds a JDK 25+ and Maven, installing Maven from
# Debian's packages when it is missing. Sets CASCADE_JAVA_HOME.
cascade_java_major() { # prints the feature release of the java at $1/bin/java, or nothing
  "$1/bin/java" -XshowSettings:properties -version 2>&1 |
    sed -n 's/^ *java\.specification\.version = \([0-9]*\).*/\1/p' | head -n 1
}
cascade_find_jdk() {
  local candidate major
  for candidate in "${JAVA_HOME:-}" /usr/lib/jvm/temurin-25-jdk-amd64 /usr/lib/jvm/*; do
    [ -n "$candidate" ] && [ -x "$candidate/bin/java" ] && [ -x "$candidate/bin/javac" ] || continue
    major=$(cascade_java_major "$candidate")
    if [ -n "$major" ] && [ "$major" -ge 25 ]; then
      CASCADE_JAVA_HOME=$candidate
      return 0
    fi
  done
  echo "cascade: no JDK 25 or newer found (looked at JAVA_HOME and /usr/lib/jvm/*)." >&2
  echo "cascade: install Temurin 25 or set JAVA_HOME to a JDK 25+." >&2
  return 1
}
cascade_find_maven() {
  command -v mvn >/dev/null 2>&1 && return 0
  echo "cascade: Maven is missing; installing Debian's package 'maven'." >&2
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq >&2 && $sudo apt-get install -y -qq maven >&2 || {
    echo "cascade: could not install Maven; install it and run again." >&2
    return 1
  }
}
cascade_find_hardware_tools() { # Verilator, yosys, nextpnr-ice40 and icestorm for the RTL flow (#7); chromium for report tests (#8)
  local missing=""
  command -v verilator >/dev/null 2>&1 || missing="$missing verilator"
  command -v yosys >/dev/null 2>&1 || missing="$missing yosys"
  command -v nextpnr-ice40 >/dev/null 2>&1 || missing="$missing nextpnr-ice40"
  command -v icepack >/dev/null 2>&1 || missing="$missing fpga-icestorm"
  command -v g++ >/dev/null 2>&1 || missing="$missing g++"
  command -v make >/dev/null 2>&1 || missing="$missing make"
  command -v chromium >/dev/null 2>&1 || missing="$missing chromium"
  [ -z "$missing" ] && return 0
  echo "cascade: installing Debian's$missing for the RTL flow." >&2
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  { $sudo apt-get install -y -qq --no-install-recommends $missing >&2 ||
    { $sudo apt-get update -qq >&2 && $sudo apt-get install -y -qq --no-install-recommends $missing >&2; }; } || {
    echo "cascade: could not install$missing; install them and run again." >&2
    return 1
  }
}
cascade_find_numpy_blas() { # Debian's NumPy on OpenBLAS, the reference of 'bench executor' (#12); never fatal
  dpkg-query -W -f='${Status}' libopenblas0-pthread 2>/dev/null | grep -q 'ok installed' &&
    dpkg-query -W -f='${Status}' python3-numpy 2>/dev/null | grep -q 'ok installed' && return 0
  command -v apt-get >/dev/null 2>&1 || return 0
  echo "cascade: installing Debian's python3-numpy and libopenblas0-pthread, the NumPy reference of 'bench executor'." >&2
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  { $sudo apt-get install -y -qq --no-install-recommends python3-numpy libopenblas0-pthread >&2 ||
    { $sudo apt-get update -qq >&2 &&
      $sudo apt-get install -y -qq --no-install-recommends python3-numpy libopenblas0-pthread >&2; }; } ||
    echo "cascade: could not install them; the benchmark uses whatever NumPy it finds." >&2
  return 0
}
