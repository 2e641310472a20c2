# SPDX-License-Identifier: GPL-2.0
# bash completion for exoctl(8)
# COMPREPLY=($(compgen ...)) is the completion idiom; the words hold no spaces.
# shellcheck disable=SC2207

_exoctl_envs()
{
	exoctl env list 2>/dev/null | awk 'NR > 1 { print $1 }'
}

_exoctl()
{
	local cur prev words cword
	_init_completion || return

	local -a args=()
	local w
	for w in "${words[@]:1:cword-1}"; do
		case $w in -j|--json) ;; *) args+=("$w") ;; esac
	done

	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W '--json --help' -- "$cur"))
		[[ ${args[0]} == monitor || ${args[0]} == trace ]] &&
			COMPREPLY+=($(compgen -W '-c' -- "$cur"))
		[[ ${args[0]} == revoke ]] &&
			COMPREPLY+=($(compgen -W '--deadline' -- "$cur"))
		return
	fi
	case ${#args[@]} in
	0)
		COMPREPLY=($(compgen -W 'env mem cpu net xn monitor revoke trace' -- "$cur"))
		return ;;
	1)
		case ${args[0]} in
		env) COMPREPLY=($(compgen -W 'list show' -- "$cur")) ;;
		mem|cpu|net) COMPREPLY=($(compgen -W 'show' -- "$cur")) ;;
		xn) COMPREPLY=($(compgen -W 'show check' -- "$cur")) ;;
		revoke) COMPREPLY=($(compgen -W 'mem' -- "$cur")) ;;
		esac
		return ;;
	esac
	case "${args[0]} ${args[1]}" in
	"env show")
		[[ ${#args[@]} == 2 ]] && COMPREPLY=($(compgen -W "$(_exoctl_envs)" -- "$cur")) ;;
	"revoke mem")
		[[ ${#args[@]} == 2 && $prev != --deadline ]] &&
			COMPREPLY=($(compgen -W "$(_exoctl_envs)" -- "$cur")) ;;
	esac
} && complete -F _exoctl exoctl
