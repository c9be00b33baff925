# cg_objects.awk — a callgrind output file's instructions by object (the
# program, libgsl, libm, libc ...): "COUNT OBJECT" lines, the instructions
# each object's own code ran (self cost; a call's cost counts where it
# runs).  Reads the raw format (callgrind_format(5)): "ob=" names the
# object of the functions that follow, "cob=" a callee's, both with name
# compression "(id) name" at first use and "(id)" after; the cost line
# after "calls=" is the call's inclusive cost and is skipped.
function obname(s,   id, rest) {
    if (!match(s, /^\([0-9]+\)/)) return s
    id = substr(s, 1, RLENGTH); rest = substr(s, RLENGTH + 2)
    if (rest != "") name[id] = rest
    return name[id]
}
/^ob=/ { cur = obname(substr($0, 4)); next }
/^cob=/ { obname(substr($0, 5)); next }
/^calls=/ { skip = 1; next }
/^[0-9+*-]/ { if (skip) { skip = 0; next } self[cur] += $2; next }
END { for (o in self) printf "%.0f %s\n", self[o], o }
