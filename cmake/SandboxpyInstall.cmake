# SandboxpyInstall.cmake: libsandboxpy as users get it (libsandboxpy.so.0
# exporting only the API of include/sandboxpy.h, libsandboxpy.a, sandboxpy.pc),
# the builtin policies as JSON, the report's JSON Schema, the man pages,
# `cmake --install` and the .deb (CPack). Included by the top-level
# CMakeLists.txt once the internal targets exist. docs/build.md "Installing and linking" says why it is built this way.
include(GNUInstallDirs)

# The exported names, read from the public header at build time.
set(SBX_EXPORT_MAP ${CMAKE_BINARY_DIR}/sandboxpy.map)
set(SBX_EXPORT_SYMS ${CMAKE_BINARY_DIR}/sandboxpy.syms)
add_custom_command(OUTPUT ${SBX_EXPORT_MAP} ${SBX_EXPORT_SYMS}
  COMMAND ${CMAKE_COMMAND} -DHEADER=${CMAKE_SOURCE_DIR}/include/sandboxpy.h
          -DMAP=${SBX_EXPORT_MAP} -DSYMS=${SBX_EXPORT_SYMS}
          -P ${CMAKE_SOURCE_DIR}/cmake/gen-exports.cmake
  DEPENDS ${CMAKE_SOURCE_DIR}/include/sandboxpy.h ${CMAKE_SOURCE_DIR}/cmake/gen-exports.cmake
  COMMENT "Listing the API of include/sandboxpy.h" VERBATIM)
add_custom_target(sbx_exports DEPENDS ${SBX_EXPORT_MAP} ${SBX_EXPORT_SYMS})

# The library's code once more, position-independent, for a shared object
# or a user's PIE program. Module by module, each seeing the
# public headers of the modules below it only, as in the internal build.
set(SBX_PIC_OBJS "")
set(SBX_PIC_BELOW "")
foreach(m policy seccomp child supervisor)
  string(TOUPPER ${m} M)
  add_library(sbx_${m}_pic OBJECT ${SBX_${M}_SRC})
  set_target_properties(sbx_${m}_pic PROPERTIES POSITION_INDEPENDENT_CODE ON)
  target_include_directories(sbx_${m}_pic PRIVATE ${CMAKE_SOURCE_DIR}/include ${CMAKE_SOURCE_DIR}/${m}
                             ${SBX_PUB_DIR}/${m} ${SBX_PIC_BELOW})
  target_compile_options(sbx_${m}_pic PRIVATE ${SBX_WARN})
  target_compile_definitions(sbx_${m}_pic PRIVATE
                             $<TARGET_PROPERTY:sbx_${m},COMPILE_DEFINITIONS>)
  target_link_libraries(sbx_${m}_pic PRIVATE PkgConfig::SECCOMP
                        PkgConfig::JANSSON PkgConfig::NETTLE)
  list(APPEND SBX_PIC_OBJS $<TARGET_OBJECTS:sbx_${m}_pic>)
  list(APPEND SBX_PIC_BELOW ${SBX_PUB_DIR}/${m})
endforeach()

# No interpreter in the library: programs run in Debian's python3.11 with
# the runtime preloaded (child/rt.c), installed beside it.
add_library(sandboxpy_shared SHARED ${SBX_PIC_OBJS})
add_dependencies(sandboxpy_shared sbx_exports)
set_target_properties(sandboxpy_shared PROPERTIES
  OUTPUT_NAME sandboxpy VERSION ${PROJECT_VERSION} SOVERSION ${PROJECT_VERSION_MAJOR}
  LIBRARY_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/lib LINK_DEPENDS ${SBX_EXPORT_MAP})
target_link_options(sandboxpy_shared PRIVATE -Wl,--version-script=${SBX_EXPORT_MAP}
                    -Wl,--no-undefined)
target_link_libraries(sandboxpy_shared PRIVATE PkgConfig::SECCOMP
                      PkgConfig::JANSSON PkgConfig::NETTLE m)

# The static library: the same objects merged into one relocatable object
# whose only global symbols are the API's, so that a program linking it
# statically sees the same names as with the .so (no clash with our
# internal sbx_* helpers).
set(SBX_STATIC_LIB ${CMAKE_BINARY_DIR}/lib/libsandboxpy.a)
set(SBX_STATIC_OBJ ${CMAKE_BINARY_DIR}/lib/sandboxpy-all.o)
add_custom_command(OUTPUT ${SBX_STATIC_LIB}
  COMMAND ${CMAKE_COMMAND} -E make_directory ${CMAKE_BINARY_DIR}/lib
  COMMAND ${CMAKE_COMMAND} -E rm -f ${SBX_STATIC_LIB} ${SBX_STATIC_OBJ}
  COMMAND ${CMAKE_LINKER} -r -o ${SBX_STATIC_OBJ} ${SBX_PIC_OBJS}
  COMMAND ${CMAKE_OBJCOPY} --keep-global-symbols=${SBX_EXPORT_SYMS} ${SBX_STATIC_OBJ}
  COMMAND ${CMAKE_AR} rcs ${SBX_STATIC_LIB} ${SBX_STATIC_OBJ}
  DEPENDS sbx_policy_pic sbx_seccomp_pic sbx_child_pic sbx_supervisor_pic ${SBX_PIC_OBJS}
          ${SBX_EXPORT_SYMS}
  COMMENT "Linking the installable libsandboxpy.a" COMMAND_EXPAND_LISTS VERBATIM)
add_custom_target(sandboxpy_static ALL DEPENDS ${SBX_STATIC_LIB})

# pkg-config: relocatable (the prefix is found from the .pc file's own
# place), so `cmake --install --prefix ANY` needs no reconfigure. Libs.private
# rather than Requires.private: a user of the .deb can link the shared
# library without the -dev packages of our dependencies.
file(RELATIVE_PATH SBX_PC_UP /p/${CMAKE_INSTALL_LIBDIR}/pkgconfig /p)
string(REGEX REPLACE "/$" "" SBX_PC_UP "${SBX_PC_UP}")
set(SBX_PC_LIBS_PRIVATE "")
foreach(lib ${SECCOMP_LIBRARIES} ${JANSSON_LIBRARIES}
        ${NETTLE_LIBRARIES} m)
  string(APPEND SBX_PC_LIBS_PRIVATE " -l${lib}")
endforeach()
string(STRIP "${SBX_PC_LIBS_PRIVATE}" SBX_PC_LIBS_PRIVATE)
configure_file(${CMAKE_SOURCE_DIR}/cmake/sandboxpy.pc.in ${CMAKE_BINARY_DIR}/sandboxpy.pc @ONLY)

# The builtin policies as JSON files, from policy/builtin.c's texts.
add_executable(gen-builtin-policies ${CMAKE_SOURCE_DIR}/cmake/gen-builtin-policies.c)
target_compile_options(gen-builtin-policies PRIVATE ${SBX_WARN})
target_link_libraries(gen-builtin-policies PRIVATE sbx_policy)
set(SBX_POLICY_DIR ${CMAKE_BINARY_DIR}/policies)
add_custom_command(OUTPUT ${SBX_POLICY_DIR}/.stamp
  COMMAND ${CMAKE_COMMAND} -E rm -rf ${SBX_POLICY_DIR}
  COMMAND ${CMAKE_COMMAND} -E make_directory ${SBX_POLICY_DIR}
  COMMAND gen-builtin-policies ${SBX_POLICY_DIR}
  COMMAND ${CMAKE_COMMAND} -E touch ${SBX_POLICY_DIR}/.stamp
  DEPENDS gen-builtin-policies
  COMMENT "Writing the builtin policies as JSON" VERBATIM)
add_custom_target(builtin-policies ALL DEPENDS ${SBX_POLICY_DIR}/.stamp)

# Man pages, from scdoc sources (docs/man/*.scd).
find_program(SBX_SCDOC scdoc REQUIRED)
set(SBX_MAN_PAGES "")
foreach(page sandboxpy.1 sandboxpy-policy.5)
  set(src ${CMAKE_SOURCE_DIR}/docs/man/${page}.scd)
  set(out ${CMAKE_BINARY_DIR}/man/${page})
  add_custom_command(OUTPUT ${out}
    COMMAND ${CMAKE_COMMAND} -E make_directory ${CMAKE_BINARY_DIR}/man
    COMMAND sh -c "exec \"$0\" < \"$1\" > \"$2\"" ${SBX_SCDOC} ${src} ${out}
    DEPENDS ${src} COMMENT "scdoc ${page}" VERBATIM)
  list(APPEND SBX_MAN_PAGES ${out})
  string(REGEX REPLACE ".*\\." "" section ${page})
  install(FILES ${out} DESTINATION ${CMAKE_INSTALL_MANDIR}/man${section} COMPONENT cli)
endforeach()
add_custom_target(man ALL DEPENDS ${SBX_MAN_PAGES})

set(SBX_DEB_lib libsandboxpy${PROJECT_VERSION_MAJOR})
set(SBX_DEB_dev libsandboxpy-dev)
set(SBX_DEB_cli sandboxpy)
file(GLOB SBX_DOCS ${CMAKE_SOURCE_DIR}/docs/*.md)
# Three components, Debian's split: the runtime library (lib ->
# libsandboxpy0), what building against it needs (dev -> libsandboxpy-dev)
# and the command with its data and documentation (cli -> sandboxpy).
install(TARGETS sandboxpy RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT cli)
install(TARGETS sandboxpy_shared LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT lib
        NAMELINK_COMPONENT dev)
install(FILES ${SBX_STATIC_LIB} DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT dev)
# The runtime preloaded into python3.11 (child/rt.c): the CLI and the
# library both run programs with it, so it ships with the library, which
# the CLI's package depends on.
install(TARGETS sandboxpy-rt LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}/sandboxpy COMPONENT lib)
install(FILES ${CMAKE_SOURCE_DIR}/include/sandboxpy.h
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR} COMPONENT dev)
install(FILES ${CMAKE_BINARY_DIR}/sandboxpy.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig
        COMPONENT dev)
install(DIRECTORY ${SBX_POLICY_DIR}/ DESTINATION ${CMAKE_INSTALL_DATADIR}/sandboxpy/policies
        COMPONENT cli FILES_MATCHING PATTERN "*.json")
# The JSON Schema of the report and the batch result line: data for the
# programs that read reports, so beside the policies rather than under
# share/doc (which minimal images and dpkg path-exclude rules drop).
install(FILES ${CMAKE_SOURCE_DIR}/docs/report.schema.json
        DESTINATION ${CMAKE_INSTALL_DATADIR}/sandboxpy COMPONENT cli)
# Documentation, in each package's /usr/share/doc/PACKAGE as Debian wants:
# the copyright file in all three, the guides (which the man pages name)
# with the command.
install(FILES ${CMAKE_SOURCE_DIR}/README.md ${SBX_DOCS}
        DESTINATION ${CMAKE_INSTALL_DATADIR}/doc/sandboxpy COMPONENT cli)
foreach(c IN ITEMS lib dev cli)
  install(FILES ${CMAKE_SOURCE_DIR}/debian/copyright
          DESTINATION ${CMAKE_INSTALL_DATADIR}/doc/${SBX_DEB_${c}} COMPONENT ${c})
endforeach()

# The .debs (make deb): libsandboxpy0, libsandboxpy-dev and sandboxpy,
# installing under /usr. The shared-library dependencies are computed by
# dpkg-shlibdeps from the ELF files (libc6, libseccomp2,
# libjansson4, libnettle8); what runs the programs is no ELF dependency, so
# it is stated: Debian's python3.11 (python3.11-minimal), whose exported C
# API the runtime binds to, and the standard library it imports, at least
# the version this build's came from. The CLI embeds its own copy of the
# library, and needs libsandboxpy0 for the runtime alone.
execute_process(COMMAND dpkg-query -W -f=\${Version} libpython3.11-stdlib
                OUTPUT_VARIABLE SBX_STDLIB_VERSION ERROR_QUIET
                OUTPUT_STRIP_TRAILING_WHITESPACE)
# cpack and `make install` package what is built, without building first:
# the install.deb test runs cpack while other tests use the binaries, and
# `make deb` builds before it packages.
set(CMAKE_SKIP_INSTALL_ALL_DEPENDENCY ON)
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME sandboxpy)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT "sandboxpy maintainers <sandboxpy@localhost>")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_COMPONENTS_ALL lib dev cli)
set(CPACK_COMPONENTS_GROUPING IGNORE)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
if(SBX_STDLIB_VERSION)
  set(SBX_STDLIB_DEP "python3.11-minimal (>= ${SBX_STDLIB_VERSION}), libpython3.11-stdlib (>= ${SBX_STDLIB_VERSION})")
else()
  set(SBX_STDLIB_DEP "python3.11-minimal, libpython3.11-stdlib")
endif()

set(CPACK_DEBIAN_LIB_PACKAGE_NAME ${SBX_DEB_lib})
set(CPACK_DEBIAN_LIB_PACKAGE_SECTION libs)
set(CPACK_DEBIAN_LIB_PACKAGE_DEPENDS ${SBX_STDLIB_DEP})
set(CPACK_DEBIAN_PACKAGE_GENERATE_SHLIBS ON)
# The SONAME carries the ABI: any later 0.x package satisfies a program
# linked against libsandboxpy.so.0.
set(CPACK_DEBIAN_PACKAGE_GENERATE_SHLIBS_POLICY ">=")
# ldconfig runs from dpkg's trigger once the library is unpacked or
# removed, as Debian does it; the postinst and postrm that only say so
# replace the ones calling ldconfig that CPack would add.
set(SBX_DEB_LIB_CONTROL ${CMAKE_BINARY_DIR}/deb-lib)
file(WRITE ${SBX_DEB_LIB_CONTROL}/triggers "activate-noawait ldconfig\n")
foreach(script postinst postrm)
  file(WRITE ${SBX_DEB_LIB_CONTROL}/tmp/${script}
       "#!/bin/sh\n# ldconfig runs from the ldconfig trigger (the package's triggers file).\nset -e\nexit 0\n")
  file(COPY ${SBX_DEB_LIB_CONTROL}/tmp/${script} DESTINATION ${SBX_DEB_LIB_CONTROL}
       FILE_PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ GROUP_EXECUTE
                        WORLD_READ WORLD_EXECUTE)
endforeach()
set(CPACK_DEBIAN_LIB_PACKAGE_CONTROL_EXTRA ${SBX_DEB_LIB_CONTROL}/triggers
    ${SBX_DEB_LIB_CONTROL}/postinst ${SBX_DEB_LIB_CONTROL}/postrm)
set(CPACK_COMPONENT_LIB_DESCRIPTION
    "run untrusted Python under one JSON policy (shared library)\nlibsandboxpy runs Python programs in a sandbox from another program: the embedded CPython 3.11 confined by an audit hook, seccomp, Landlock, namespaces, capabilities and resource limits, as one JSON policy says. This package holds the shared library.")

set(CPACK_DEBIAN_DEV_PACKAGE_NAME ${SBX_DEB_dev})
set(CPACK_DEBIAN_DEV_PACKAGE_SECTION libdevel)
set(CPACK_DEBIAN_DEV_PACKAGE_DEPENDS "${SBX_DEB_lib} (= ${PROJECT_VERSION})")
set(CPACK_COMPONENT_DEV_DESCRIPTION
    "run untrusted Python under one JSON policy (development files)\nWhat a program needs to be built against libsandboxpy: the header sandboxpy.h, the pkg-config file sandboxpy.pc, the libsandboxpy.so link and the static library libsandboxpy.a.")

set(CPACK_DEBIAN_CLI_PACKAGE_NAME ${SBX_DEB_cli})
set(CPACK_DEBIAN_CLI_PACKAGE_SECTION utils)
set(CPACK_DEBIAN_CLI_PACKAGE_DEPENDS "${SBX_STDLIB_DEP}, ${SBX_DEB_lib} (= ${PROJECT_VERSION})")
set(CPACK_COMPONENT_CLI_DESCRIPTION
    "run untrusted Python under one JSON policy\nsandboxpy runs Python programs like python3 does, confined by a JSON policy enforced by an audit hook in Debian's CPython 3.11, seccomp, Landlock, namespaces, capabilities and resource limits. This package holds the sandboxpy command, its builtin policies as JSON, the JSON Schema of its reports, the man pages and the guides.")
include(CPack)
